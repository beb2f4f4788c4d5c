//! The one skeleton every cloud's evaluation runs through.
//!
//! 1. The cloud's profile prepares the request: the action as the cloud compares it, the passes
//!    (one, or two for an AWS access-point request), the derived context keys, the facts.
//! 2. Each layer of the stack is evaluated in the profile's order, in each pass where it
//!    applies, into [`Outcomes`]; a layer that does not apply is recorded with its [`Skip`]
//!    code.
//! 3. The profile's `decide` turns outcomes and facts into a [`Verdict`].
//!
//! With `explain`, step 2 also records every statement's outcome (a boundary, not a flag in
//! the matchers). No step words anything: prose is made by [`crate::report`] when a report is
//! asked for.
//!
//! [`Skip`]: crate::decide::Skip
//! [`Verdict`]: crate::decide::Verdict

use crate::clouds;
use crate::decide::Outcomes;
use crate::eval::{eval_layer, Scope, Trace};
use crate::explain::{Evaluation, Explained};
use crate::profile::Applies;
use crate::request::{Env, Request};
use crate::stack::Stack;

/// Judges `req` against `stack` with the rules of `req.cloud`; with `explain`, also records
/// every statement's outcome for the report.
pub fn evaluate<'s>(stack: &'s Stack, req: &'s Request, explain: bool) -> Evaluation<'s> {
    let profile = clouds::of(req.cloud);
    let prepared = profile.prepare(stack, req);
    // At most one run per level of every layer, in every pass: reserved once, so that pushing
    // the runs never reallocates.
    let levels: usize = profile
        .traits()
        .layer_order
        .iter()
        .filter_map(|&l| stack.levels(l).map(<[_]>::len))
        .sum();
    let mut outcomes = Outcomes {
        runs: Vec::with_capacity(levels * prepared.passes.len()),
        skipped: Vec::new(),
    };
    let mut explained = explain.then(Explained::default);
    {
        let env = Env {
            user: &req.context,
            derived: &prepared.derived,
            case_sensitive: profile.keys_case_sensitive(),
        };
        for plan in &prepared.passes {
            for &layer in &profile.traits().layer_order {
                let Some(levels) = stack.levels(layer) else {
                    continue;
                };
                match profile.applies(layer, plan.pass, &prepared.facts) {
                    Applies::Quietly => {}
                    Applies::Skip(why) => outcomes.skipped.push((plan.pass, layer, why)),
                    Applies::Yes => {
                        let resource = plan.resource_for(layer);
                        let scope = Scope {
                            profile,
                            caller: &req.caller,
                            action: prepared.action,
                            resource,
                            parts: crate::eval::Parts::of(profile, resource),
                            env,
                            facts: &prepared.facts,
                        };
                        // The decision path reads the layer's statement index.
                        let index = if explain { None } else { stack.index(layer) };
                        for (li, lv) in levels.iter().enumerate() {
                            let level = layer.has_levels().then_some(lv.name.as_str());
                            let mut trace = explained.as_ref().map(|_| Trace::default());
                            let run = eval_layer(
                                &scope,
                                plan.pass,
                                layer,
                                level,
                                &lv.policies,
                                index.and_then(|ix| ix.levels.get(li)),
                                trace.as_mut(),
                            );
                            outcomes.runs.push(run);
                            if let (Some(x), Some(t)) = (explained.as_mut(), trace) {
                                x.statements.push(t.statements);
                                x.missing.extend(t.missing);
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(x) = explained.as_mut() {
        x.missing.sort_unstable();
        x.missing.dedup();
    }
    let verdict = profile
        .decide(&outcomes, &prepared.facts)
        .with_notes(prepared.notes);
    Evaluation {
        request: req,
        stack,
        profile,
        prepared,
        outcomes,
        verdict,
        explained,
    }
}

/// The plan of a request as its storage service makes it: the actions it needs (its
/// operation's, by the cloud's table), the extra requests the service makes for the caller,
/// and its own refusals. `Err` for an operation the cloud's table does not know.
pub fn plan<'a>(
    stack: &'a Stack,
    req: &'a Request,
) -> Result<crate::service::Plan<'a>, crate::ops::UnknownOperation> {
    let (wanted, resolved) = crate::service::wanted(clouds::of(req.cloud), req)?;
    Ok(clouds::storage(req.cloud).plan(stack, req, &wanted, resolved.as_ref()))
}

/// Evaluates every step of a plan and applies the service's decision over them.
pub fn evaluate_plan<'p>(
    plan: &'p crate::service::Plan<'_>,
    explain: bool,
) -> crate::service::ServiceEvaluation<'p> {
    let evals: Vec<Evaluation<'p>> = plan
        .steps
        .iter()
        .map(|s| evaluate(&s.stack, &s.request, explain))
        .collect();
    let cloud = plan
        .steps
        .first()
        .map_or(crate::ir::Cloud::Aws, |s| s.request.cloud);
    let verdict = clouds::storage(cloud).decide(plan, &evals);
    crate::service::ServiceEvaluation { evals, verdict }
}
