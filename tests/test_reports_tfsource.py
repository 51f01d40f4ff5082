"""Terraform findings on the .tf line: a small root module and a local module, their plan built by
`mlfence plan`, and every report format carrying the source location (or the plan's, without
sources)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

from conftest import ROOT, cli_in_process, run
from mlfence import tfsource
from sarif_schema import assert_valid_sarif

MLFENCE = str(ROOT / ".venv" / "bin" / "mlfence")
ROOT_TF = """terraform {
  required_version = ">= 1.5"
}

module "network" {
  source = "./modules/network"
}

# A comment that mentions resource "aws_security_group" "notebook" { is not the block.
resource "aws_security_group" "notebook" {
  name = "notebook"

  ingress {
    from_port   = 8888
    to_port     = 8888
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_sagemaker_model" "ranker" {
  name                     = "ranker"
  execution_role_arn       = "arn:aws:iam::123456789012:role/ranker"
  enable_network_isolation = false
}
"""
MODULE_TF = """variable "vpc_id" {
  type    = string
  default = "vpc-1"
}

resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = var.vpc_id
  cidr_block              = "10.20.${count.index}.0/24"
  map_public_ip_on_launch = true
}
"""
DESCRIPTION = {
    "resources": [
        {
            "address": "aws_security_group.notebook",
            "values": {
                "name": "notebook",
                "ingress": [{"from_port": 8888, "to_port": 8888, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}],
            },
        },
        {"address": "aws_sagemaker_model.ranker", "values": {"name": "ranker", "enable_network_isolation": False}},
        {
            "address": "module.network.aws_subnet.public[1]",
            "values": {"cidr_block": "10.20.1.0/24", "map_public_ip_on_launch": True},
        },
    ]
}


# Several tests check the same plan and differ in the report format: each distinct `opa eval` runs
# once (opa_answers).
pytestmark = pytest.mark.usefixtures("shared_opa_answers")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tf") / "infra"
    (root / "modules" / "network").mkdir(parents=True)
    (root / "main.tf").write_text(ROOT_TF)
    (root / "modules" / "network" / "main.tf").write_text(MODULE_TF)
    (root / "plan.yaml").write_text(yaml.safe_dump(DESCRIPTION))
    proc = run([MLFENCE, "plan", str(root / "plan.yaml"), "--out", str(root / "plan.json")])
    assert proc.returncode == 0, proc.stderr
    return root


def check(*args: str, cwd: Path = ROOT, input_text: str | None = None) -> tuple[int, str]:
    """`mlfence check` in-process (conftest.cli_in_process); the plan above and the --tf-root
    error below run the console script in a real process."""
    proc = cli_in_process("check", "-q", *args, cwd=cwd, input_text=input_text)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, proc.stdout


def findings(*args: str, cwd: Path = ROOT, input_text: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    code, out = check("--format", "json", *args, cwd=cwd, input_text=input_text)
    assert code == 1
    return {(f["rule_id"], f.get("attribute", "")): f for f in json.loads(out)["findings"]}


def test_json_points_at_the_block_and_the_attribute(tree: Path) -> None:
    found = findings(str(tree / "plan.json"))
    main, module = str(tree / "main.tf"), str(tree / "modules" / "network" / "main.tf")
    sg = found[("MLF-TF-001", "ingress[0].cidr_blocks")]
    assert (sg["file"], sg["line"]) == (main, line_of(ROOT_TF, "cidr_blocks"))
    assert sg["input"] == {"file": str(tree / "plan.json"), "line": 1}
    isolation = found[("MLF-TF-013", "enable_network_isolation")]
    assert (isolation["file"], isolation["line"]) == (main, line_of(ROOT_TF, "enable_network_isolation"))
    # "has no vpc_config.subnets": nothing in the block to point at, so the block itself.
    no_vpc = found[("MLF-TF-014", "")]
    assert (no_vpc["file"], no_vpc["line"]) == (main, line_of(ROOT_TF, 'resource "aws_sagemaker_model"'))
    subnet = found[("MLF-TF-006", "map_public_ip_on_launch")]
    assert (subnet["file"], subnet["line"]) == (module, line_of(MODULE_TF, "map_public_ip_on_launch"))
    assert subnet["resource"] == "module.network.aws_subnet.public[1]"


def test_table_sarif_junit_and_github_carry_the_source_location(tree: Path, tmp_path: Path) -> None:
    module_line = line_of(MODULE_TF, "map_public_ip_on_launch")
    code, table = check(
        str(tree / "plan.json"), "--sarif", str(tmp_path / "r.sarif"), "--junit", str(tmp_path / "r.xml")
    )
    assert code == 1
    assert f"modules/network/main.tf:{module_line} (map_public_ip_on_launch)" in " ".join(table.split())

    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert_valid_sarif(sarif)
    [result] = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MLF-TF-006"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (tree / "modules" / "network" / "main.tf").as_uri()
    assert location["region"] == {"startLine": module_line}
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (tree / "plan.json").as_uri()
    block = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "MLF-TF-014")
    assert block["locations"][0]["physicalLocation"]["region"] == {
        "startLine": line_of(ROOT_TF, 'resource "aws_sagemaker_model"'),
        "endLine": len(ROOT_TF.splitlines()),
    }

    suite = ET.fromstring((tmp_path / "r.xml").read_text().split("?>", 1)[1])
    [case] = [c for c in suite.iter("testcase") if c.get("classname") == "MLF-TF-006"]
    assert (case.get("file"), case.get("line")) == (str(tree / "modules" / "network" / "main.tf"), str(module_line))

    code, github = check(str(tree / "plan.json"), "--format", "github", "--rule", "MLF-TF-006")
    assert github.splitlines()[0].startswith(
        f"::error file={tree / 'modules' / 'network' / 'main.tf'},line={module_line},title=MLF-TF-006::"
    )


def test_relative_paths_and_stdin_with_a_name(tree: Path) -> None:
    found = findings("plan.json", cwd=tree)
    assert found[("MLF-TF-006", "map_public_ip_on_launch")]["file"] == "modules/network/main.tf"
    assert found[("MLF-TF-001", "ingress[0].cidr_blocks")]["file"] == "main.tf"
    piped = findings(
        "-", "--stdin-filename", "infra/plan.json", cwd=tree.parent, input_text=(tree / "plan.json").read_text()
    )
    subnet = piped[("MLF-TF-006", "map_public_ip_on_launch")]
    assert subnet["file"] == "infra/modules/network/main.tf"
    assert subnet["input"]["file"] == "infra/plan.json"


def test_without_sources_the_plan_location_stays_and_tf_root_finds_them(tree: Path, tmp_path: Path) -> None:
    plan = tmp_path / "elsewhere" / "plan.json"
    plan.parent.mkdir()
    shutil.copyfile(tree / "plan.json", plan)
    alone = findings(str(plan))
    for finding in alone.values():
        assert (finding["file"], finding["line"]) == (str(plan), 1) and "input" not in finding
    mapped = findings(str(plan), "--tf-root", str(tree))
    assert mapped[("MLF-TF-006", "map_public_ip_on_launch")]["file"] == str(tree / "modules" / "network" / "main.tf")
    # The baseline fingerprint names the scanned plan, never the .tf line: it does not change
    # when sources appear.
    assert {f["fingerprint"] for f in alone.values()} == {f["fingerprint"] for f in mapped.values()}


def _parser_imported(plan: Path) -> tuple[str, str]:
    """(exit code, whether python-hcl2 and Lark were imported) of `mlfence check` of one plan in a
    fresh interpreter."""
    probe = (
        "import sys\n"
        "from mlfence.cli import run\n"
        f"sys.argv = ['mlfence', 'check', '-q', '--format', 'json', {str(plan)!r}]\n"
        "try:\n    run()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print(code, 'hcl2' in sys.modules and 'lark' in sys.modules, file=sys.stderr)\n"
    )
    proc = run([sys.executable, "-c", probe])
    code, imported = proc.stderr.split()[-2:]
    return code, imported


def test_the_hcl_parser_is_imported_only_when_a_tf_file_is_there(tree: Path, tmp_path: Path) -> None:
    """python-hcl2 and Lark cost ~0.1 s CPU to import: a plan without .tf sources never needs them."""
    plan = tmp_path / "alone" / "plan.json"
    plan.parent.mkdir()
    shutil.copyfile(tree / "plan.json", plan)
    assert _parser_imported(plan) == ("1", "False")
    assert _parser_imported(tree / "plan.json") == ("1", "True")


def test_unparsable_source_is_a_note_and_the_finding_keeps_the_plan_location(tree: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tree, broken)
    (broken / "main.tf").write_text('resource "aws_security_group" "notebook" {\n  name = \n')
    code, out = check("--format", "json", str(broken / "plan.json"))
    report = json.loads(out)
    assert code == 1
    sg = next(f for f in report["findings"] if f["rule_id"] == "MLF-TF-001")
    assert sg["file"] == str(broken / "plan.json")
    note = next(s for s in report["skipped"] if s["file"] == str(broken / "main.tf"))
    assert note["reason"].startswith("cannot parse Terraform source")
    subnet = next(f for f in report["findings"] if f["rule_id"] == "MLF-TF-006")
    assert subnet["file"] == str(broken / "modules" / "network" / "main.tf")


def test_registry_modules_are_found_through_terraform_init_manifest(tmp_path: Path) -> None:
    installed = tmp_path / ".terraform" / "modules" / "vpc"
    installed.mkdir(parents=True)
    (installed / "main.tf").write_text(MODULE_TF)
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {"Key": "vpc", "Source": "registry.terraform.io/acme/vpc/aws", "Dir": ".terraform/modules/vpc"},
                ]
            }
        )
    )
    plan = {
        "configuration": {
            "root_module": {"module_calls": {"vpc": {"source": "acme/vpc/aws", "module": {"resources": []}}}}
        }
    }
    where = tfsource.Sources(plan, tmp_path).locate(
        "module.vpc.aws_subnet.public[0]", "module.vpc.aws_subnet.public[0] sets map_public_ip_on_launch = true"
    )
    assert where == tfsource.SourceLocation(
        str(installed / "main.tf"),
        line_of(MODULE_TF, "map_public"),
        len(MODULE_TF.splitlines()),
        "map_public_ip_on_launch",
    )
    assert tfsource.Sources(plan, tmp_path / "nowhere").locate("module.vpc.aws_subnet.public[0]") is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("x allows ingress (ingress[0].cidr_blocks)", "ingress[0].cidr_blocks"),
        ("x has no ingress.cidr_blocks restriction", "ingress[0].cidr_blocks"),
        ("x is internet-facing (internal = false)", "internal"),
        ("x is not internal to the VPC", ""),  # an English word is not an attribute
        ("x: set private_cluster_config.enable_private_nodes = true", "private_cluster_config[0]"),
    ],
)
def test_named_attribute(tmp_path: Path, message: str, expected: str) -> None:
    (tmp_path / "lb.tf").write_text(
        'resource "aws_lb" "x" {\n  internal = false\n  ingress {\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n  private_cluster_config {\n  }\n}\n'
    )
    where = tfsource.Sources({"configuration": {"root_module": {}}}, tmp_path).locate("aws_lb.x", message)
    assert where is not None and where.attribute == expected


def test_tf_root_that_is_not_a_folder_is_one_clear_line(tree: Path, tmp_path: Path) -> None:
    proc = run([MLFENCE, "check", str(tree / "plan.json"), "--tf-root", str(tmp_path / "missing")])
    assert proc.returncode == 2
    assert proc.stderr == f"mlfence: --tf-root {tmp_path / 'missing'} is not a folder\n"


def test_nested_local_modules_resolve_from_their_caller(tmp_path: Path) -> None:
    """root -> ./modules/app -> ../shared (relative to app, as Terraform resolves it), with
    instance keys on the module calls and a Windows-made source path."""
    shared = tmp_path / "modules" / "shared"
    shared.mkdir(parents=True)
    (shared / "net.tf").write_text(MODULE_TF)
    plan = {
        "configuration": {
            "root_module": {
                "module_calls": {
                    "app": {
                        "source": ".\\modules\\app",
                        "module": {"module_calls": {"net": {"source": "../shared", "module": {}}}},
                    }
                }
            }
        }
    }
    where = tfsource.Sources(plan, tmp_path).locate('module.app["eu"].module.net[0].aws_subnet.public[1]')
    assert where is not None and where.file == str(shared / "net.tf")
    assert where.line == line_of(MODULE_TF, 'resource "aws_subnet"') and where.attribute == ""


def test_two_plans_of_one_tree_are_both_mapped(tree: Path, tmp_path: Path) -> None:
    copy = tmp_path / "infra"
    shutil.copytree(tree, copy)
    shutil.copyfile(copy / "plan.json", copy / "staging.plan.json")
    code, out = check("--format", "json", str(copy / "plan.json"), str(copy / "staging.plan.json"))
    assert code == 1
    subnets = [f for f in json.loads(out)["findings"] if f["rule_id"] == "MLF-TF-006"]
    assert sorted(f["input"]["file"] for f in subnets) == [str(copy / "plan.json"), str(copy / "staging.plan.json")]
    assert {f["file"] for f in subnets} == {str(copy / "modules" / "network" / "main.tf")}


def test_suppression_comment_on_a_block_is_judged_like_the_tag(tree: Path, tmp_path: Path) -> None:
    """`# mlfence-suppress` above (or inside) a resource block suppresses that block's findings
    of the named rule when the sources are there, with the tag's reason and expiry rules."""
    root = tmp_path / "infra"
    shutil.copytree(tree, root)
    commented = ROOT_TF.replace(
        '\nresource "aws_security_group" "notebook" {\n',
        '\n# mlfence-suppress MLF-TF-001 reason="notebook reachable only via the VPN, PLAT-9" expires=2099-01-01\n'
        'resource "aws_security_group" "notebook" {\n',
    ).replace(
        "  enable_network_isolation = false\n", "  enable_network_isolation = false\n  // mlfence-suppress MLF-TF-013\n"
    )
    (root / "main.tf").write_text(commented)
    plan = root / "plan.json"
    # Without sources for it the comment is unknown: the finding fails.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(plan, elsewhere / "plan.json")
    assert findings(str(elsewhere / "plan.json"))[("MLF-TF-001", "")]["status"] == "fail"
    found = findings(str(elsewhere / "plan.json"), "--tf-root", str(root))
    sg = found[("MLF-TF-001", "ingress[0].cidr_blocks")]
    assert sg["status"] == "exempted"
    assert sg["suppression"] == {
        "rules": "MLF-TF-001",
        "reason": "notebook reachable only via the VPN, PLAT-9",
        "expires": "2099-01-01",
        "where": f"{root / 'main.tf'}:{line_of(commented, 'mlfence-suppress MLF-TF-001')}",
        "state": "active",
    }
    # The comment inside the SageMaker block has no reason: it does not suppress, and says why.
    isolation = found[("MLF-TF-013", "enable_network_isolation")]
    assert isolation["status"] == "fail" and isolation["suppression"]["state"] == "invalid"
    assert "inline suppression ignored" in isolation["message"]
    # Other rules on the commented block, and other blocks, are untouched.
    assert found[("MLF-TF-014", "")]["status"] == "fail"
    # Both comments named a rule that reported there: none is unused.
    _code, out = check("--format", "json", str(elsewhere / "plan.json"), "--tf-root", str(root))
    assert json.loads(out)["summary"]["unused_suppressions"] == []
    (root / "main.tf").write_text(commented.replace("MLF-TF-001 reason", "MLF-TF-001 MLF-TF-099 reason"))
    _code, out = check("--format", "json", str(plan))
    assert json.loads(out)["summary"]["unused_suppressions"] == [
        {
            "kind": "comment",
            "resource": "aws_security_group.notebook",
            "rules": ["MLF-TF-099"],
            "file": str(root / "main.tf"),
            "line": line_of(commented, "mlfence-suppress MLF-TF-001"),
        }
    ]
    # Expired: fails again and says so.
    (root / "main.tf").write_text(commented.replace("expires=2099-01-01", "expires=2020-01-01"))
    expired = findings(str(plan))[("MLF-TF-001", "ingress[0].cidr_blocks")]
    assert expired["status"] == "fail" and expired["suppression"]["state"] == "expired"


@pytest.mark.parametrize(
    ("line", "marks"),
    [
        (
            '# mlfence-suppress MLF-TF-001 reason="a b, c" expires=2027-01-31',
            {"rules": "MLF-TF-001", "reason": "a b, c", "expires": "2027-01-31"},
        ),
        ("  // mlfence-suppress MLF-TF-001,MLF-TF-002", {"rules": "MLF-TF-001,MLF-TF-002"}),
        ("# mlfence-suppress reason=x MLF-TF-003", {"rules": "MLF-TF-003", "reason": "x"}),
        ("# mlfence-suppressed MLF-TF-001", None),
        ('name = "x" # mlfence-suppress MLF-TF-001', None),  # only a comment line counts
    ],
)
def test_parse_suppression_comment(line: str, marks: dict[str, str] | None) -> None:
    assert tfsource.parse_suppression_comment(line) == marks
