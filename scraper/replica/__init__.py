"""A local, deterministic replica of the portal (NukeViet 4.5 news module) for crawler tests.

``Site`` generates the content, ``render`` turns it into the portal's markup and
``ReplicaServer`` serves it over HTTP on 127.0.0.1 with the portal's redirects and traps.
``Portal`` is another NukeViet portal in any address scheme (``schemes.py``): NukeViet's default
theme, two news modules and modules that are not news (``portal.py``, ``default_theme.py``).
"""

from .portal import Document, ExpectedArticle, NewsModule, Portal
from .routes import Response, Router
from .schemes import SCHEMES, Scheme
from .server import FaultHook, ReplicaServer, Request
from .site import Article, Category, Image, Site, Tag

__all__ = [
    "SCHEMES", "Article", "Category", "Document", "ExpectedArticle", "FaultHook", "Image", "NewsModule",
    "Portal", "ReplicaServer", "Request", "Response", "Router", "Scheme", "Site", "Tag",
]
