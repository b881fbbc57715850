"""The address schemes a replica can serve: NukeViet's rewriter settings, one per scheme.

A replica writes and serves its addresses with the project's one address rule
(``scraper.sites.addresses.build_url``), fed the ``SiteProfile`` a scheme stands for, so the
spider's reading of an address and the replica's writing of it cannot drift apart unseen.

| scheme | settings | an article |
|---|---|---|
| ``laichau`` | news module dropped (``rewrite_op_mod``), no language | ``/<cat>/<slug>-<id>.html`` |
| ``lang-module`` | language and module in the path | ``/vi/tin-tuc/<cat>/<slug>-<id>.html`` |
| ``index-php`` | no server rewrite rules: ``index.php/`` kept | ``/index.php/vi/news/<cat>/<slug>-<id>.html`` |
| ``query`` | rewriting off | ``/index.php?language=vi&nv=news&op=<cat>/<slug>-<id>.html`` |
| ``no-slash`` | ``rewrite_endurl`` empty | ``/vi/news/<cat>/<slug>-<id>.html``, ``/vi/news/<cat>/page-2`` |
"""

from __future__ import annotations

from dataclasses import dataclass

from ..sites.addresses import DEFAULT_LANGUAGES, Form, SiteProfile

#: The language every portal of the replica writes its content in.
LANGUAGE = "vi"


@dataclass(frozen=True)
class Scheme:
    """One portal's address settings and theme.

    ``news`` names its news modules, first the site's home module; ``rewrite_file`` says the server
    has NukeViet's rewrite rules (so ``/sitemap-vi.<module>.xml`` answers); ``theme`` is
    ``laichau`` (today's portal's markup, one news module, nothing else) or ``default``
    (NukeViet's default theme, two news modules and modules that are not news).
    """

    name: str
    form: Form
    lang_in_path: bool | None
    endurl: str
    news: tuple[str, ...]
    rewrite_file: bool
    theme: str

    @property
    def laichau(self) -> bool:
        return self.theme == "laichau"

    def profile(self, other_modules: frozenset[str] = frozenset()) -> SiteProfile:
        """What ``scraper.sites.discovery`` should find on a replica of this scheme: the
        ``SiteProfile`` its addresses are written with."""
        if self.laichau:  # the news module is NukeViet's rewrite_op_mod: its name is never written
            return SiteProfile(
                languages=DEFAULT_LANGUAGES, language=None, lang_in_path=False, home_module=self.news[0],
                drops_home=True, news_modules=frozenset(self.news), form=Form.REWRITE, endurl=self.endurl,
            )
        return SiteProfile(
            languages=frozenset({LANGUAGE}), language=LANGUAGE, lang_in_path=self.lang_in_path,
            home_module=None, drops_home=False, news_modules=frozenset(self.news),
            other_modules=other_modules, modules_known=True, form=self.form, endurl=self.endurl,
        )


SCHEMES: dict[str, Scheme] = {
    s.name: s
    for s in (
        Scheme("laichau", Form.REWRITE, False, "/", ("news",), True, "laichau"),
        Scheme("lang-module", Form.REWRITE, True, "/", ("tin-tuc", "thong-bao"), True, "default"),
        Scheme("index-php", Form.INDEX_PHP, True, "/", ("news", "thong-bao"), False, "default"),
        Scheme("query", Form.QUERY, None, "/", ("news", "thong-bao"), False, "default"),
        Scheme("no-slash", Form.REWRITE, True, "", ("news", "thong-bao"), True, "default"),
    )
}


def find_scheme(name: str | Scheme) -> Scheme:
    """The scheme of that name (a ``Scheme`` passes through); ValueError names the known ones."""
    if isinstance(name, Scheme):
        return name
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"unknown scheme {name!r}: one of {', '.join(SCHEMES)}") from None
