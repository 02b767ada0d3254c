"""The CI and hook files commlog ships: they parse, forges' schemas accept them, and every command
line in them that calls commlog is run here against the demo repository, as the forge's runner
would run it (a full clone with origin/main, the pull request's branch checked out, the forge's
variables set). A new repository's kept wheel installs offline into a fresh venv and runs there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import venv
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from commlog.scaffold import CI_FILES

from conftest import ROOT, copy_demo, run_commlog

TEMPLATES = ROOT / "cli" / "commlog" / "templates"
WORKFLOWS = {"github": "github.yml", "gitea": "gitea.yml", "gitlab": "gitlab-ci.yml"}
SHIPPED = [TEMPLATES / name for name in CI_FILES.values()] + [ROOT / ".pre-commit-hooks.yaml"]
INSTALL = "python -m pip install .commlog/commlog-*-py3-none-any.whl"

NOT_YET: dict[str, str] = {}
"""Commands the CI files call that are not on this branch yet: their steps are strict xfails, so the
test says so (XPASS fails) once the command lands; then delete the entry."""

EMAIL = {"admin": "ma.chao@hengtai.example", "zhang-wei": "zhang.wei@hengtai.example"}
EMAIL["wang-fang"] = "wang.fang@hengtai.example"
RECORD = "records/2026/NX-2026-901.yaml"
COMMLOG = re.compile(r"(^|[;&|(]\s*|\bthen\s+)commlog\s")


def git(root: Path, *args: str, person: str = "admin", when: str = "2026-11-20T09:30:00+08:00") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": person, "GIT_COMMITTER_NAME": person}
    env |= {"GIT_AUTHOR_EMAIL": EMAIL[person], "GIT_COMMITTER_EMAIL": EMAIL[person]}
    env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True, env=env).stdout


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- the files themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_file_is_yaml(path: Path) -> None:
    assert isinstance(load(path), dict | list)


@pytest.mark.parametrize(
    ("template", "schema"),
    [
        ("github.yml", "vendor.github-workflows"),
        ("gitea.yml", "vendor.github-workflows"),
        ("gitlab-ci.yml", "vendor.gitlab-ci"),
    ],
)
def test_forges_schemas_accept_the_workflows(template: str, schema: str) -> None:
    """GitHub's workflow schema (Gitea and Forgejo Actions read the same syntax) and GitLab's CI schema,
    as check-jsonschema vendors them."""
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(TEMPLATES / template)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_reads_the_hooks_and_the_config() -> None:
    from pre_commit.clientlib import load_config, load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"commlog-validate", "commlog-fmt"}
    config = load_config(str(TEMPLATES / "pre-commit-config.yaml"))
    local = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert config["repos"][0]["repo"] == "local" and set(local) == set(hooks)
    for hook_id, hook in hooks.items():  # the repository's hooks are commlog's own, run with the kept commlog
        keys = ("name", "entry", "files", "require_serial", "description")
        assert {k: local[hook_id][k] for k in keys} == {k: hook[k] for k in keys}
        # `system` (pre-commit 4.4 reads it as its new name `unsupported`; older versions know only `system`)
        assert hook["language"] == "python" and local[hook_id]["language"] in ("system", "unsupported")


def test_every_workflow_installs_the_kept_wheel_the_same_way() -> None:
    for forge, template in WORKFLOWS.items():
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        assert INSTALL in text, forge
        assert "pip install commlog" not in text and "COMMLOG_SPEC" not in text, forge
        assert "fetch-depth: 0" in text or 'GIT_DEPTH: "0"' in text, forge


# --- every command line, run as the runner runs it ----------------------------------------------


def _expand(value: Any, matrix: dict[str, str]) -> str:
    """A step's env value as the runner sets it: the matrix's value, a repository variable unset."""
    text = str(value)
    for key, item in matrix.items():
        text = text.replace("${{ matrix." + key + " }}", item)
    return re.sub(r"\$\{\{[^}]*\}\}", "", text)


def _actions_steps(forge: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(id, script, env) of each `run:` of a GitHub or Gitea workflow, once per matrix value."""
    workflow = load(TEMPLATES / WORKFLOWS[forge])
    for job_id, job in workflow["jobs"].items():
        matrices = [{}]
        for key, values in (job.get("strategy", {}).get("matrix") or {}).items():
            matrices = [{**m, key: str(v)} for m in matrices for v in values]
        for matrix in matrices:
            for index, step in enumerate(job["steps"]):
                if "run" in step:
                    env = {k: _expand(v, matrix) for k, v in (step.get("env") or {}).items()}
                    suffix = "-".join(matrix.values())
                    yield f"{forge}-{job_id}-{index}{'-' + suffix if suffix else ''}", step["run"], env


def _gitlab_items() -> Iterator[tuple[str, str, dict[str, str]]]:
    """(id, script line, env) of each item of each GitLab job's scripts, once per matrix entry."""
    ci = load(TEMPLATES / WORKFLOWS["gitlab"])
    for job_id, job in ci.items():
        if not isinstance(job, dict) or "script" not in job:
            continue
        matrices = [{}]
        for entry in (job.get("parallel") or {}).get("matrix") or []:
            matrices = [{**m, key: str(v)} for m in matrices for key, values in entry.items() for v in values]
        for matrix in matrices:
            for part in ("before_script", "script", "after_script"):
                for index, item in enumerate(job.get(part) or []):
                    suffix = "-".join(matrix.values())
                    yield f"gitlab-{job_id}-{part}-{index}{'-' + suffix if suffix else ''}", item, dict(matrix)


FORGE_ENV = {
    "github": {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
               "GITHUB_HEAD_REF": "pr", "GITHUB_REPOSITORY": "hengtai/records"},
    "gitea": {"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
              "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "pr", "GITHUB_REPOSITORY": "hengtai/records"},
    "gitlab": {"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
               "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "pr",
               "CI_MERGE_REQUEST_IID": "7", "CI_PROJECT_ID": "42", "CI_DEFAULT_BRANCH": "main"},
}  # fmt: skip


def _cases() -> Iterator[Any]:
    steps = [*_actions_steps("github"), *_actions_steps("gitea"), *_gitlab_items()]
    for case_id, script, env in steps:
        if INSTALL in script or not (COMMLOG.search(script) or script.startswith("git fetch")):
            continue  # the install is run by test_init_wheel_installs_offline; the API posts by their own tests
        variants = [("", env)]
        if "COMMLOG_FAIL_ON_OVERDUE" in script:
            variants = [
                ("", {**env, "COMMLOG_FAIL_ON_OVERDUE": ""}),
                ("-fail", {**env, "COMMLOG_FAIL_ON_OVERDUE": "true"}),
            ]
        marks = [
            pytest.mark.xfail(reason=reason, strict=True) for command, reason in NOT_YET.items() if command in script
        ]
        for suffix, variant in variants:
            yield pytest.param(case_id.split("-")[0], script, variant, id=case_id + suffix, marks=marks)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo on main, with CODEOWNERS; cloned whole as a runner checks out a pull request, on the branch
    'pr' that adds an approval committed by the approver."""
    origin = copy_demo(tmp_path_factory.mktemp("ci") / "origin", with_site=True)
    (origin / RECORD).write_text(
        "id: NX-2026-901\nkind: message\ndirection: external\nsubject: 确认交期\nsummary: 请客户确认交期。\n"
        "from: {department: 市场部, person: zhang-wei}\nto:\n  - {org: customer-a, person: li-na}\n"
        "urgency: normal\nchannels: [email]\nclassification: internal\nevents:\n"
        "  - {type: submitted, at: 2026-11-20 09:00, by: zhang-wei}\n",
        encoding="utf-8",
    )
    assert run_commlog("fmt", cwd=origin).returncode == 0
    assert run_commlog("codeowners", cwd=origin).returncode == 0
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "demo")
    clone = origin.parent / "checkout"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    git(clone, "switch", "-qc", "pr")
    record = clone / RECORD
    text = record.read_text(encoding="utf-8")
    record.write_text(text + "  - {type: approved, at: 2026-11-20 10:00, by: wang-fang, role: dept_head}\n", "utf-8")
    git(clone, "commit", "-qam", "approve", person="wang-fang", when="2026-11-20T10:05:00+08:00")
    return clone


_DONE: dict[tuple[str, tuple[tuple[str, str | None], ...]], subprocess.CompletedProcess[str]] = {}


@pytest.mark.parametrize(("forge", "script", "env"), list(_cases()))
def test_every_commlog_line_runs(checkout: Path, forge: str, script: str, env: dict[str, str], tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.touch()
    environment = {**os.environ, "CI": "true", "PYTHONUTF8": "1", **FORGE_ENV[forge], **env}
    environment["GITHUB_STEP_SUMMARY"] = str(summary)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"  # this commlog
    # The same line with the same values of the variables it reads is run once (GitHub's and Gitea's
    # site builds are the same line), which keeps the three site builds per clearance at one each.
    used = sorted(set(re.findall(r"\$\{?([A-Za-z_]\w*)", script)))
    key = (script, tuple((name, environment.get(name)) for name in used if name != "GITHUB_STEP_SUMMARY"))
    if key not in _DONE or "GITHUB_STEP_SUMMARY" in script:
        _DONE[key] = subprocess.run(
            ["bash", "-e", "-c", script], cwd=checkout, env=environment, capture_output=True, text=True
        )
    done = _DONE[key]
    assert "Traceback" not in done.stderr, done.stderr
    expected = 1 if env.get("COMMLOG_FAIL_ON_OVERDUE") == "true" else 0  # the demo has overdue stages now
    assert done.returncode == expected, f"{script}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    if "commlog site build" in script:
        assert (checkout / f"site-{env['CLEARANCE']}" / "index.html").is_file()
    if "commlog overdue" in script:
        assert "逾期" in (checkout / "overdue.md").read_text(encoding="utf-8")
    if "GITHUB_STEP_SUMMARY" in script:
        assert summary.read_text(encoding="utf-8").strip(), "nothing written to the job's summary"


def test_the_runs_cover_every_forge_and_command() -> None:
    ids = [param.id for param in _cases()]
    scripts = "\n".join(param.values[1] for param in _cases())
    for forge in WORKFLOWS:
        assert any(i.startswith(forge) for i in ids), forge
    for command in (
        "validate --base",
        "fmt --check",
        "codeowners --check",
        "pr-summary --base",
        "overdue",
        "site build",
    ):
        assert f"commlog {command}" in scripts, command
    for clearance in ("public", "internal", "confidential"):
        assert any(i.endswith(clearance) for i in ids), clearance


# --- posting the summary on Gitea and GitLab, against a local stand-in for the forge's API ----------


class _Forge(BaseHTTPRequestHandler):
    calls: list[tuple[str, str, Any]] = []
    existing: list[dict[str, Any]] = []

    def _answer(self, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        self.calls.append(("GET", self.path, dict(self.headers)))
        self._answer(self.existing)

    def _write(self) -> None:
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append((self.command, self.path, data))
        self._answer({"id": 1, **data})

    do_POST = do_PATCH = do_PUT = _write

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def forge_api() -> Iterator[tuple[str, type[_Forge]]]:
    handler = type("Forge", (_Forge,), {"calls": [], "existing": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _poster(forge: str) -> str:
    scripts = [s for _, s, _ in (_actions_steps(forge) if forge == "gitea" else _gitlab_items()) if "urllib" in s]
    assert len(scripts) == 1
    return scripts[0]


@pytest.mark.parametrize("forge", ["gitea", "gitlab"])
def test_the_summary_is_posted_then_updated(forge: str, forge_api: tuple[str, type[_Forge]], tmp_path: Path) -> None:
    url, api = forge_api
    (tmp_path / "pr-summary.md").write_text("## NX-2026-901 确认交期\n", encoding="utf-8")
    env = {**os.environ, **FORGE_ENV[forge], "PR_NUMBER": "7", "TOKEN": "t0ken", "COMMLOG_API_TOKEN": "t0ken"}
    env |= {"GITHUB_API_URL": f"{url}/api/v1", "CI_API_V4_URL": f"{url}/api/v4"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    script = _poster(forge)
    for existing in ([], [{"id": 5, "body": "<!-- commlog pr-summary -->\nold"}]):
        api.existing[:] = existing
        api.calls.clear()
        done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        (method, path, body) = api.calls[-1]
        if forge == "gitea":
            assert api.calls[0][2]["Authorization"] == "token t0ken"
            assert (method, path) == (("PATCH", "/api/v1/repos/hengtai/records/issues/comments/5") if existing
                                      else ("POST", "/api/v1/repos/hengtai/records/issues/7/comments"))  # fmt: skip
        else:
            assert api.calls[0][2]["Private-Token"] == "t0ken"
            assert (method, path) == (("PUT", "/api/v4/projects/42/merge_requests/7/notes/5") if existing
                                      else ("POST", "/api/v4/projects/42/merge_requests/7/notes"))  # fmt: skip
        assert body["body"] == "<!-- commlog pr-summary -->\n## NX-2026-901 确认交期\n"


def test_gitlab_without_a_token_keeps_the_summary_as_an_artifact(tmp_path: Path) -> None:
    (tmp_path / "pr-summary.md").write_text("x\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "COMMLOG_API_TOKEN"}
    done = subprocess.run(
        ["bash", "-e", "-c", _poster("gitlab")], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and "artifact only" in done.stderr


# --- a new repository's kept commlog, installed offline into a fresh venv --------------------------


def test_init_wheel_installs_offline_and_runs(tmp_path: Path) -> None:
    repo = tmp_path / "acme"
    assert run_commlog("init", str(repo), "--organisation", "示例科技").returncode == 0
    for relative in CI_FILES:
        assert (repo / relative).is_file(), relative
    (wheel,) = (repo / ".commlog").glob("commlog-*-py3-none-any.whl")

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    bin_dir = fresh / "bin"
    env = {**os.environ, "PYTHONUTF8": "1", "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env |= {"PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # offline: no index at all
    env.pop("VIRTUAL_ENV", None)
    installed = subprocess.run(["bash", "-e", "-c", INSTALL], cwd=repo, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # commlog's dependencies, which a runner gets from its package index, are lent from this venv; commlog
    # itself is the one just installed, as the fresh venv's own site-packages come first.
    site = next((fresh / "lib").glob("python3.*/site-packages"))
    lent = next(Path(sys.executable).parent.parent.glob("lib/python3.*/site-packages"))
    (site / "zz_lent_dependencies.pth").write_text(f"{lent}\n", encoding="utf-8")

    def fresh_run(*args: str, cwd: Path = repo) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*args], cwd=cwd, env=env, capture_output=True, text=True)

    where = fresh_run(
        str(bin_dir / "python"),
        "-c",
        "import commlog, commlog.resources as r; print(commlog.__file__, r.data_path('schemas'))",
    )
    assert where.stdout.startswith(str(site / "commlog")), where.stdout + where.stderr
    assert str(site / "commlog" / "_data" / "schemas") in where.stdout
    for command in (["--version"], ["validate"], ["fmt", "--check"], ["codeowners", "--check"]):
        done = fresh_run(str(bin_dir / "commlog"), *command)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    # the installed commlog keeps the very same wheel: upgrading to the same commlog changes nothing
    upgraded = fresh_run(str(bin_dir / "commlog"), "upgrade")
    assert upgraded.returncode == 0 and f".commlog/{wheel.name} is current" in upgraded.stdout, upgraded.stdout
    again = fresh_run(str(bin_dir / "commlog"), "init", str(tmp_path / "second"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "second" / ".commlog" / wheel.name).read_bytes() == wheel.read_bytes()


# --- pre-commit in a new repository, and CODEOWNERS following the contacts --------------------------


def test_pre_commit_runs_the_hooks_on_changed_files_and_codeowners_follows(tmp_path: Path) -> None:
    repo = tmp_path / "acme"
    assert run_commlog("init", str(repo)).returncode == 0
    contact = repo / "contacts/internal/li-lei.yaml"
    contact.write_text(
        "id: li-lei\nname: 李雷\ndepartment: 市场部\ntitle: 市场部经理\nemail: li.lei@acme.example\n"
        "roles: [dept_head, admin]\nstatus: active\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONUTF8": "1", "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)

    def hooks() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", "run", "--files", "contacts/internal/li-lei.yaml", "README.md"]
        return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)

    first = hooks()
    assert first.returncode == 1, first.stdout + first.stderr  # fmt wrote the schema line: the commit stops
    assert re.search(r"commlog validate\.+Passed", first.stdout) and re.search(r"commlog fmt\.+Failed", first.stdout)
    assert contact.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    second = hooks()
    assert second.returncode == 0, second.stdout + second.stderr

    stale = run_commlog("codeowners", "--check", cwd=repo)
    assert stale.returncode == 1 and "run `commlog codeowners`" in stale.stdout
    assert "+/records/*/NX-*   li.lei@acme.example" in stale.stdout
    assert run_commlog("codeowners", cwd=repo).returncode == 0
    assert run_commlog("codeowners", "--check", cwd=repo).returncode == 0


def test_upgrade_replaces_the_kept_wheel_and_lists_stale_ci_files(tmp_path: Path) -> None:
    repo = tmp_path / "acme"
    assert run_commlog("init", str(repo)).returncode == 0
    (current,) = (repo / ".commlog").glob("commlog-*.whl")
    current.rename(repo / ".commlog" / "commlog-0.0.9-py3-none-any.whl")  # as an older commlog left it
    workflow = repo / ".gitlab-ci.yml"
    workflow.write_text(workflow.read_text(encoding="utf-8") + "# local change\n", encoding="utf-8")
    schema = repo / "schemas/record.schema.json"
    schema.write_text("{}", encoding="utf-8")

    result = run_commlog("upgrade", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "removed .commlog/commlog-0.0.9-py3-none-any.whl" in result.stdout
    assert f".commlog/{current.name} written" in result.stdout
    assert "schemas/record.schema.json updated" in result.stdout
    assert ".gitlab-ci.yml differs from this commlog's" in result.stdout
    assert [p.name for p in (repo / ".commlog").iterdir()] == [current.name]
    assert workflow.read_text(encoding="utf-8").endswith("# local change\n")

    replaced = run_commlog("upgrade", "--ci-files", cwd=repo)
    assert replaced.returncode == 0 and ".gitlab-ci.yml updated" in replaced.stdout
    assert f".commlog/{current.name} is current" in replaced.stdout
    assert not workflow.read_text(encoding="utf-8").endswith("# local change\n")
    assert run_commlog("validate", cwd=repo).returncode == 0
