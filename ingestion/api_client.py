"""Pull one agency dataset from its HTTP JSON API into the landing area.

Pagination: `?page=N&per_page=M` from page 1; a page's `next` URL is followed when the API
gives one, otherwise pages are read until one comes back short or empty. A bearer token is
read from the environment variable the registry names. Each request has a timeout and is
retried with exponential backoff on connection errors, timeouts and 5xx/429 answers.

The pulled rows are written to the landing area as one JSON file (exactly the rows the API
returned, in order), so the pulled data is archived and ingested like any other file.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from core.limits import Limits, load_limits
from core.registry import Agency
from ingestion.landing import agency_folder, inside


class ApiError(RuntimeError):
    """The agency's API could not be read; worth retrying later."""


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port or _PORTS.get(a.scheme)) == (
        b.scheme,
        b.hostname,
        b.port or _PORTS.get(b.scheme),
    )


_PORTS = {"http": 80, "https": 443}


def _get(session: requests.Session, url: str, params, headers, timeout, retries):
    """(body, bytes of the answer)."""
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            r = session.get(url, params=params, headers=headers, timeout=timeout)
            if r.status_code in (429,) or r.status_code >= 500:
                raise ApiError(f"HTTP {r.status_code} dari {r.url}")
            if r.status_code >= 400:
                # 401/403/404 will not get better by retrying
                raise PermissionError(f"HTTP {r.status_code} dari {r.url}: {r.text[:200]}")
            return r.json(), len(r.content)
        except (requests.ConnectionError, requests.Timeout, ApiError, ValueError) as e:
            if attempt == retries:
                raise ApiError(f"API {url} gagal setelah {retries + 1} percobaan: {e}") from e
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def pull_dataset(
    agency: Agency,
    dataset: str,
    landing: Path,
    now: dt.datetime | None = None,
    token: str | None = None,
    limits: Limits | None = None,
) -> Path | None:
    """Pull one dataset of an API agency into its landing folder. `token` is the agency's
    bearer token (the variable named by the registry's `token_env`, handed over by the
    orchestration's resource)."""
    api = agency.api
    if api is None or dataset not in api.paths:
        return None
    limits = limits or load_limits()
    folder = landing / agency.kode / dataset
    outside = not inside(folder, landing / agency.kode) or not agency_folder(landing, agency.kode)
    if outside and (folder.exists() or (landing / agency.kode).exists()):
        raise ApiError(
            f"folder {agency.kode}/{dataset} menunjuk ke luar area landing (symlink): "
            "hasil tarikan API tidak ditulis"
        )
    headers = {"Accept": "application/json"}
    if api.token_env:
        if not token:
            raise ApiError(f"token API untuk {agency.kode} tidak ada: set variabel {api.token_env}")
        headers["Authorization"] = f"Bearer {token}"
    url: str | None = api.base_url.rstrip("/") + api.paths[dataset]
    params: dict | None = {"page": 1, "per_page": api.page_size}
    rows: list = []
    pages = pulled_bytes = 0
    with requests.Session() as s:
        while url:
            pages += 1
            if pages > limits.api_pages:
                raise ApiError(
                    f"API {agency.kode}/{dataset} memberi lebih dari {limits.api_pages} halaman "
                    "(config/limits.yaml: api_pages): tarikan dihentikan, tidak ada yang dimuat"
                )
            body, size = _get(s, url, params, headers, api.timeout_seconds, api.max_retries)
            pulled_bytes += size
            if pulled_bytes > limits.api_bytes:
                raise ApiError(
                    f"API {agency.kode}/{dataset} mengirim lebih dari "
                    f"{limits.api_bytes / 2**20:.0f} MB (config/limits.yaml: api_bytes): "
                    "tarikan dihentikan, tidak ada yang dimuat"
                )
            page = body.get("data", []) if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise ApiError(f"jawaban API {url} tidak berisi daftar 'data'")
            rows.extend(page)
            nxt = body.get("next") if isinstance(body, dict) else None
            if nxt:
                nxt = urljoin(url, str(nxt))
                if not _same_origin(nxt, api.base_url):
                    # the token goes only to the configured scheme, host and port
                    raise ApiError(
                        f"tautan 'next' API {agency.kode} menunjuk ke {urlsplit(nxt).scheme}://"
                        f"{urlsplit(nxt).netloc}, bukan ke alamat yang terdaftar "
                        f"({api.base_url}): tidak diikuti"
                    )
                url, params = nxt, None
            elif params is not None and len(page) >= api.page_size:
                params = {**params, "page": params["page"] + 1}
            else:
                url = None
    now = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"data": rows}, ensure_ascii=False).encode("utf-8")
    earlier = sorted(folder.glob(f"api_{dataset}_*.json"))
    if earlier and earlier[-1].read_bytes() == payload:
        return earlier[-1]  # nothing new since the last pull: no new submission
    target = folder / f"api_{dataset}_{now:%Y%m%dT%H%M%S}.json"
    tmp = target.with_name("." + target.name + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(target)
    return target
