//! Judging one request exactly as `polsim eval` does, with the explanation: the one path the
//! command, its batch mode, `polsim diff`'s and `polsim check`'s witnesses and the property-test
//! kit's failures all go through.

use polsim_core::{Cloud, Decision, Request};
use polsim_parse::Diagnostic;

/// Judges a request exactly as `polsim eval` does: an "action" that names an API operation is
/// read as the operation (with a warning), the operation settled to its actions, the request
/// checked against the catalog, planned as its storage service plans it, evaluated with the
/// explanation, and worded. Returns the report, the request as judged, and the warnings; the
/// errors that refuse the request otherwise. `polsim diff` checks every witness through here.
pub fn judge(
    stack: &polsim_core::Stack,
    mut req: Request,
) -> Result<(polsim_core::Report, Request, Vec<Diagnostic>), Vec<Diagnostic>> {
    // The action an operation stands for (and whether a given action agrees with it); an
    // "action" that names an API operation is read as the operation, with a warning.
    let given = req.action.clone();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    let cloud = req.cloud;
    if req.extras.operation.is_none() && given.contains(':') {
        if let Some(op) =
            polsim_core::ops::by_action(polsim_core::clouds::of(cloud).operations(), &given)
        {
            warnings.push(
                Diagnostic::warning(
                    polsim_core::Pos::default(),
                    format!("`--action {given}` names the API operation {}, not an action: polsim judges the request as that operation (checked as {})", op.name, op.actions().collect::<Vec<_>>().join(", ")),
                )
                .with_help(format!("write `--operation {}` (or `--action` with the action the service checks)", op.name)),
            );
        }
    }
    if let Err(problem) =
        polsim_core::service::settle_action(polsim_core::clouds::of(cloud), &mut req)
    {
        let op = req.extras.operation.clone().unwrap_or_default();
        let (msg, help) = polsim_parse::testfile::operation_problem(cloud, &op, &given, problem);
        return Err(vec![
            Diagnostic::error(polsim_core::Pos::default(), msg).with_help(help)
        ]);
    }
    // Catalog checks (polsim-parse validate.rs): errors refuse the request, warnings are printed.
    let keys = polsim_parse::dialect_keys(req.cloud);
    let checked = polsim_parse::validate::request(&mut req, keys);
    if checked.iter().any(Diagnostic::is_error) {
        return Err(checked);
    }
    warnings.extend(checked);
    // The request as the cloud's storage service judges it (every action its operation needs,
    // the service's own requests and checks).
    let plan =
        polsim_core::flow::plan(stack, &req).map_err(|u| vec![unknown_operation(cloud, &u)])?;
    let se = polsim_core::flow::evaluate_plan(&plan, true);
    let Some(mut eval) = polsim_core::Report::for_service(&plan, &se) else {
        return Err(vec![Diagnostic::error(
            polsim_core::Pos::default(),
            "the request resolved to no action to evaluate",
        )]);
    };
    typo_advice(&mut eval, &req);
    Ok((eval, req, warnings))
}

/// An operation the cloud's table does not know, with the closest names it does.
pub fn unknown_operation(cloud: Cloud, u: &polsim_core::ops::UnknownOperation) -> Diagnostic {
    let help = if u.candidates.is_empty() {
        "--operation takes the API name the error gives (GetObject, HeadObject, PutObject, ...)"
            .to_string()
    } else {
        format!("did you mean {}?", u.candidates.join(", "))
    };
    Diagnostic::error(
        polsim_core::Pos::default(),
        format!("unknown {} operation `{}`", cloud.title(), u.name),
    )
    .with_help(help)
}

/// A denial of an action the catalog does not know (a typo such as `s3:GetObjct`) is fixed in
/// the request, not the policies: the advice to add that action to a statement is replaced by
/// the catalog's did-you-mean.
fn typo_advice(eval: &mut polsim_core::Report, req: &polsim_core::Request) {
    if eval.decision == Decision::Allow || req.extras.operation.is_some() {
        return;
    }
    if let Some(suggestion) = polsim_parse::validate::misspelt_action(req.cloud, &req.action) {
        let dym = match suggestion {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        eval.advice = vec![format!(
            "check the request's action: `{}` is not an action of its service{dym}, so granting it in a policy would not fix the call",
            req.action
        )];
    }
}
