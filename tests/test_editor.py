"""People editing a record get help as they type: the schema modeline, and a real language server reading it.

``yaml-language-server`` is the engine of VS Code's YAML extension (redhat.vscode-yaml) and of
most other editors' YAML support. It is driven here as an editor drives it, over the Language
Server Protocol on stdin and stdout, over a record just made by ``commlog new`` and every file
of a copy of the demo repository. It is installed (pinned) by ``scripts/install-editor-tools.sh``,
which ``python3 tasks.py test`` runs.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from commlog.canonical import MODELINE_PREFIX, modeline

from conftest import ROOT, run_commlog

SERVER = Path(
    os.environ.get("COMMLOG_YAML_LANGUAGE_SERVER")
    or ROOT / ".tools" / "yaml-language-server" / "node_modules" / ".bin" / "yaml-language-server"
)
TIMEOUT = 30.0
"""Seconds any one answer may take; the server answers in well under one."""
SETTINGS = {
    "validate": True,
    "completion": True,
    "schemaStore": {"enable": False},
    "kubernetesCRDStore": {"enable": False},
}
"""The YAML extension's settings, as VS Code sends them; no schema catalogue is fetched from the web."""


class LanguageServer:
    """A minimal LSP client: JSON-RPC messages framed by ``Content-Length`` headers, every wait bounded."""

    def __init__(self, command: list[str], root: Path):
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=root
        )
        self.buffer = b""
        self.ids = itertools.count(1)
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "capabilities": {"workspace": {"configuration": True}, "textDocument": {"publishDiagnostics": {}}},
            },
        )
        self.notify("initialized", {})

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any] | None) -> Any:
        """Send a request and return its result, handling what the server sends meanwhile."""
        number = next(self.ids)
        self._send({"jsonrpc": "2.0", "id": number, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline, f"the answer to {method}")
            if message.get("id") == number and "method" not in message:
                assert "error" not in message, message["error"]
                return message.get("result")
            self._handle(message)

    def open(self, path: Path, text: str) -> str:
        """Open a document as an editor does (its text need not be saved); returns its URI."""
        uri = path.as_uri()
        self.diagnostics.pop(uri, None)
        self.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        return uri

    def wait_for_diagnostics(self, uris: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The diagnostics the server publishes for each document."""
        deadline = time.monotonic() + TIMEOUT
        while any(uri not in self.diagnostics for uri in uris):
            self._handle(self._receive(deadline, f"diagnostics for {len(uris)} document(s)"))
        return {uri: self.diagnostics[uri] for uri in uris}

    def completions(self, uri: str, line: int, character: int) -> list[str]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        items = result["items"] if isinstance(result, dict) else result or []
        return [item["label"] for item in items]

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", {})
                self.process.wait(timeout=5)
        except (OSError, TimeoutError, subprocess.TimeoutExpired, AssertionError):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def _handle(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method == "textDocument/publishDiagnostics":
            self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
        elif method is not None and "id" in message:  # a request from the server: answer it, or it waits
            result: Any = None
            if method == "workspace/configuration":
                result = [SETTINGS if item.get("section") == "yaml" else {} for item in message["params"]["items"]]
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})

    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        stream = self.process.stdout.fileno()
        while True:
            head, separator, rest = self.buffer.partition(b"\r\n\r\n")
            if separator:
                fields = dict(line.split(b":", 1) for line in head.split(b"\r\n"))
                length = int(fields[b"Content-Length"])
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    return json.loads(rest[:length])
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
                pytest.fail(f"yaml-language-server sent nothing for {TIMEOUT:.0f} s while waiting for {waiting_for}")
            chunk = os.read(stream, 1 << 16)
            if not chunk:
                pytest.fail(f"yaml-language-server exited ({self.process.wait()}) while waiting for {waiting_for}")
            self.buffer += chunk


@pytest.fixture
def server(demo_repo: Path) -> Any:
    if not SERVER.is_file():
        pytest.fail(
            f"yaml-language-server is not installed at {SERVER}: run `bash scripts/install-editor-tools.sh` "
            "(python3 tasks.py test does it)"
        )
    client = LanguageServer([str(SERVER), "--stdio"], demo_repo)
    yield client
    client.close()


@pytest.fixture
def new_record(demo_repo: Path) -> Path:
    """A record registered by ``commlog new`` (as zhang-wei of 市场部), as staff would start one."""
    for args in (
        ["init", "-q"],
        ["config", "user.name", "张伟"],
        ["config", "user.email", "zhang.wei@hengtai.example"],
    ):
        subprocess.run(["git", *args], cwd=demo_repo, check=True)
    made = run_commlog(
        "new", "message", "--to", "customer-a/li-na", "--subject", "确认11月交期", "--summary", "请客户确认交期。",
        "--channel", "email", "--urgency", "urgent", "--format", "json", cwd=demo_repo,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    relative = json.loads(made.stdout)["path"]
    assert (demo_repo / relative).read_text(encoding="utf-8").splitlines()[0] == modeline(relative)
    return demo_repo / relative


def _line_of(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines()) if line.startswith(start))


def test_a_new_record_is_clean_in_the_editor(server: LanguageServer, new_record: Path) -> None:
    uri = server.open(new_record, new_record.read_text(encoding="utf-8"))
    assert server.wait_for_diagnostics([uri])[uri] == []


def test_completion_offers_an_enum_field_s_values(server: LanguageServer, new_record: Path) -> None:
    text = new_record.read_text(encoding="utf-8").replace("urgency: urgent\n", "urgency: \n")
    new_record.write_text(text, encoding="utf-8")  # the moment someone has typed the key and a space
    uri = server.open(new_record, text)
    labels = server.completions(uri, _line_of(text, "urgency:"), len("urgency: "))
    assert {"normal", "urgent", "critical"} <= set(labels), labels


def test_a_bad_value_is_flagged_with_the_allowed_values(
    server: LanguageServer, new_record: Path, demo_repo: Path
) -> None:
    text = new_record.read_text(encoding="utf-8").replace("urgency: urgent\n", "urgency: soon\n")
    new_record.write_text(text, encoding="utf-8")
    uri = server.open(new_record, text)
    found = server.wait_for_diagnostics([uri])[uri]
    line = _line_of(text, "urgency:")
    at_urgency = [d for d in found if d["range"]["start"]["line"] == line]
    assert len(at_urgency) == 1, found
    message = at_urgency[0]["message"]
    assert all(value in message for value in ("normal", "urgent", "critical")), message
    # the message kind's own schema, read from the repository's schemas/ beside the record
    assert (demo_repo / "schemas/message.schema.json").as_uri() in at_urgency[0]["data"]["schemaUri"]
    assert len(found) == 1, found


def test_every_demo_file_is_clean_in_the_editor(server: LanguageServer, demo_repo: Path) -> None:
    """Each modeline leads to a schema that loads (its $refs resolved beside it) and agrees with commlog validate."""
    files = sorted(demo_repo.glob("records/*/*.yaml")) + sorted(demo_repo.glob("contacts/*/*.yaml"))
    files.append(demo_repo / "policy.yaml")
    uris = [server.open(path, path.read_text(encoding="utf-8")) for path in files]
    found = server.wait_for_diagnostics(uris)
    assert {uri: d for uri, d in found.items() if d} == {}


def test_fmt_writes_the_modeline_and_keeps_it(demo_repo: Path) -> None:
    record = demo_repo / "records/2026/CG-2026-001.yaml"
    canonical = record.read_text(encoding="utf-8")
    assert canonical.startswith(f"{MODELINE_PREFIX}../../schemas/record.schema.json\nid: CG-2026-001\n")
    body = canonical.split("\n", 1)[1]
    policy = demo_repo / "policy.yaml"
    contact = demo_repo / "contacts/external/customer-a.yaml"
    record.write_text(body, encoding="utf-8")  # none
    policy.write_text(policy.read_text(encoding="utf-8").replace("=schemas/", "=../schemas/"), encoding="utf-8")
    contact.write_text("# 客户A\n" + contact.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    check = run_commlog("fmt", "--check", "--repo", str(demo_repo))
    assert check.returncode == 1
    assert sorted(line.split(":")[0] for line in check.stdout.splitlines()[:-1]) == [
        "contacts/external/customer-a.yaml",
        "policy.yaml",
        "records/2026/CG-2026-001.yaml",
    ]
    assert run_commlog("validate", "--repo", str(demo_repo)).returncode == 0  # a comment is no finding

    assert run_commlog("fmt", "--repo", str(demo_repo)).returncode == 0
    assert record.read_text(encoding="utf-8") == canonical
    assert policy.read_text(encoding="utf-8").startswith(f"{MODELINE_PREFIX}schemas/policy.schema.json\n")
    assert contact.read_text(encoding="utf-8").startswith(
        f"{MODELINE_PREFIX}../../schemas/contact-external.schema.json\nid: customer-a\n"
    )
    assert run_commlog("fmt", "--check", "--repo", str(demo_repo)).returncode == 0


def test_modeline_names_the_schema_relative_to_the_file() -> None:
    assert modeline("records/2026/NX-2026-001.yaml") == f"{MODELINE_PREFIX}../../schemas/record.schema.json"
    assert (
        modeline("contacts/internal/zhang-wei.yaml") == f"{MODELINE_PREFIX}../../schemas/contact-internal.schema.json"
    )
    assert (
        modeline("contacts/external/customer-a.yaml") == f"{MODELINE_PREFIX}../../schemas/contact-external.schema.json"
    )
    assert modeline("policy.yaml") == f"{MODELINE_PREFIX}schemas/policy.schema.json"
    for other in ("mkdocs.yml", "records/2026/NX-2026-001/letter.yaml", "records/NX-2026-001.yaml", "site/index.md"):
        assert modeline(other) is None


def test_generated_repositories_carry_the_modeline(tmp_path: Path) -> None:
    target = tmp_path / "generated"
    assert run_commlog("demo", "generate", "--records", "20", str(target)).returncode == 0
    assert run_commlog("fmt", "--check", "--repo", str(target)).returncode == 0
    for path in [target / "policy.yaml", *target.glob("records/*/*.yaml"), *target.glob("contacts/*/*.yaml")]:
        assert path.read_text(encoding="utf-8").splitlines()[0] == modeline(path.relative_to(target).as_posix())
