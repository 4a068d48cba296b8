"""The network floor: fetching over HTTP (pools, limits, retries, redirects, size caps), reading
bodies and their text, and one source's view of a check (`SourceContext`)."""

from monitor.net.context import Document, SourceContext, document_key
from monitor.net.fetch import DEADLINE_FACTOR, Fetcher, is_transient, parse_retry_after, source_url
from monitor.net.inflate import ACCEPT_ENCODING, read_head

__all__ = ["ACCEPT_ENCODING", "DEADLINE_FACTOR", "Document", "Fetcher", "SourceContext", "document_key",
           "is_transient", "parse_retry_after", "read_head", "source_url"]
