"""A local, deterministic replica of the portal (NukeViet 4.5 news module) for crawler tests.

``Site`` generates the content, ``render`` turns it into the portal's markup and
``ReplicaServer`` serves it over HTTP on 127.0.0.1 with the portal's redirects and traps.
"""

from .routes import Response, Router
from .server import FaultHook, ReplicaServer, Request
from .site import Article, Category, Image, Site, Tag

__all__ = [
    "Article", "Category", "FaultHook", "Image", "ReplicaServer", "Request", "Response",
    "Router", "Site", "Tag",
]
