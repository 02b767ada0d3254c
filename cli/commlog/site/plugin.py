"""The MkDocs plugin: `mkdocs build` and `mkdocs serve` generate the archive site from the repository.

Options (in mkdocs.yml under ``plugins: - commlog:``, or from the environment, which
`commlog site build/serve` sets): ``clearance`` (COMMLOG_CLEARANCE), ``as_of``
(COMMLOG_AS_OF), ``search`` (write the search index after the build: :mod:`commlog.site.search`).

Only `mkdocs serve` shows the files that fail validation, each at its record's address
(:mod:`commlog.site.invalid`); a build publishes nothing of them.
"""

from __future__ import annotations

import html
import json
import logging
import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pathspec
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkPage

from commlog.asof import moment
from commlog.fileio import atomic_write, empty_site
from commlog.repository import SITE_MARKER, output_problem, sources_problem
from commlog.site.attachments import publish
from commlog.site.search import SEARCH_DATA, SEARCH_SCRIPT, build_index

log = logging.getLogger("mkdocs.plugins.commlog")
CLEARANCES = ("public", "internal", "confidential", "secret")
_MARKER = "<!--commlog:content-->"
_MARKER_WITH_HEADING = "<!--commlog:content <h1>-->"


class CommlogConfig(base.Config):
    clearance = c.Choice(CLEARANCES, default="internal")
    as_of = c.Optional(c.Type(str))
    search = c.Type(bool, default=True)


class CommlogPlugin(BasePlugin[CommlogConfig]):
    """Generates the archive's pages; records and contacts stay the only source."""

    serving = False
    """Whether this is `mkdocs serve` (as `commlog site serve` runs it): only then are invalid files shown."""

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # `mkdocs build` and `commlog site build` say "build", and so does `mkdocs serve --clean`.
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        from commlog.schedule import NoPolicy
        from commlog.site.model import build_model
        from commlog.site.pages import Site

        self.root = Path(config.config_file_path).resolve().parent
        # MkDocs empties site_dir right after this hook: refuse a folder whose files are not a site's.
        problem = output_problem(self.root, Path(config.site_dir), (Path(config.docs_dir),))
        if problem:
            raise PluginError(f"commlog: {problem}; set another site_dir")
        problem = sources_problem(self.root, Path(config.docs_dir))
        if problem:
            raise PluginError(f"commlog: the site's sources may not be published: {problem}")
        empty_site(Path(config.site_dir))
        clearance = os.environ.get("COMMLOG_CLEARANCE") or self.config.clearance
        if clearance not in CLEARANCES:
            raise PluginError(f"COMMLOG_CLEARANCE '{clearance}' is not one of {', '.join(CLEARANCES)}")
        try:
            as_of = moment(self.root, os.environ.get("COMMLOG_AS_OF") or self.config.as_of)
        except ValueError as err:
            raise PluginError(f"commlog as_of: {err}") from err
        try:
            self.model = build_model(self.root, clearance, as_of)
        except NoPolicy as err:  # a broken policy stops the build with a message, not a traceback
            raise PluginError(str(err)) from err
        if self.model.plan.skipped:
            log.warning(
                "commlog: %d invalid file(s) left out of the site; run `commlog validate`%s",
                len({f.path for f in self.model.plan.skipped}),
                " or open /invalid/" if self.serving else "",
            )
        self.site = Site(self.model, self.serving)
        self.pages = {p.src: p for p in self.site.pages()}
        hidden = ["/records/", "/register/*", "/archive/internal/", "/archive/external/", "/invalid.md"]
        existing = list(config.not_in_nav.patterns) if config.not_in_nav else []
        config.not_in_nav = pathspec.GitIgnoreSpec([*existing, *pathspec.GitIgnoreSpec.from_lines(hidden).patterns])
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for src, page in self.pages.items():
            existing = files.get_file_from_path(src)
            if existing is not None:
                files.remove(existing)
            # MkDocs' templates do not escape titles: give them escaped text.
            front = (
                f"---\ntitle: {json.dumps(html.escape(page.title), ensure_ascii=False)}\nhide: [navigation, toc]\n---\n"
            )
            files.append(File.generated(config, src, content=front))
        script = resources.files("commlog.site").joinpath("static/search.js").read_text(encoding="utf-8")
        files.append(File.generated(config, SEARCH_SCRIPT, content=script))
        return files

    def on_page_content(self, html_text: str, page: MkPage, config: MkDocsConfig, files: Files) -> str:
        # MkDocs keeps every page's content until it writes the pages: hold a marker and
        # render when the page is written, so a build's memory does not grow with every
        # page's HTML. "<h1" in the marker tells the theme a page brings its own heading.
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return html_text
        return _MARKER_WITH_HEADING if generated.own_heading else _MARKER

    def on_post_page(self, output: str, page: MkPage, config: MkDocsConfig) -> str:
        generated = self.pages.get(page.file.src_uri)
        if generated is None:
            return output
        marker = _MARKER_WITH_HEADING if generated.own_heading else _MARKER
        before, found, after = output.partition(marker)
        if not found:
            raise PluginError(f"commlog: the theme did not place the content of {page.file.src_uri}")
        return before + generated.render() + after

    def on_post_build(self, config: MkDocsConfig) -> None:
        site_dir = Path(config.site_dir)
        atomic_write(site_dir / SITE_MARKER, "built by commlog; `commlog site build` may empty this folder\n")
        self._copy_attachments(site_dir)
        if self.config.search:
            build_index(self.site, site_dir / SEARCH_DATA)

    def _copy_attachments(self, site_dir: Path) -> None:
        for view in self.model.records.values():
            if view.data.get("attachments"):
                publish(
                    self.root,
                    view.path,
                    view.id,
                    view.data["attachments"],
                    site_dir / view.url / "files",
                    self.model.redact,
                    self.model.mask,
                    self.model.withheld.get(view.id, frozenset()),
                )

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        for part in ("records", "contacts", "policy.yaml"):
            if (self.root / part).exists():
                server.watch(str(self.root / part))
        return server
