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

import requests

from core.registry import Agency


class ApiError(RuntimeError):
    """The agency's API could not be read; worth retrying later."""


def _get(session: requests.Session, url: str, params, headers, timeout, retries) -> dict:
    delay = 0.5
    for attempt in range(retries + 1):
        try:
            r = session.get(url, params=params, headers=headers, timeout=timeout)
            if r.status_code in (429,) or r.status_code >= 500:
                raise ApiError(f"HTTP {r.status_code} dari {r.url}")
            if r.status_code >= 400:
                # 401/403/404 will not get better by retrying
                raise PermissionError(f"HTTP {r.status_code} dari {r.url}: {r.text[:200]}")
            return r.json()
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
) -> Path | None:
    """Pull one dataset of an API agency into its landing folder. `token` is the agency's
    bearer token (the variable named by the registry's `token_env`, handed over by the
    orchestration's resource)."""
    api = agency.api
    if api is None or dataset not in api.paths:
        return None
    headers = {"Accept": "application/json"}
    if api.token_env:
        if not token:
            raise ApiError(f"token API untuk {agency.kode} tidak ada: set variabel {api.token_env}")
        headers["Authorization"] = f"Bearer {token}"
    url: str | None = api.base_url.rstrip("/") + api.paths[dataset]
    params: dict | None = {"page": 1, "per_page": api.page_size}
    rows: list = []
    with requests.Session() as s:
        while url:
            body = _get(s, url, params, headers, api.timeout_seconds, api.max_retries)
            page = body.get("data", []) if isinstance(body, dict) else body
            if not isinstance(page, list):
                raise ApiError(f"jawaban API {url} tidak berisi daftar 'data'")
            rows.extend(page)
            nxt = body.get("next") if isinstance(body, dict) else None
            if nxt:
                url, params = nxt, None
            elif params is not None and len(page) >= api.page_size:
                params = {**params, "page": params["page"] + 1}
            else:
                url = None
    now = now or dt.datetime.now(dt.UTC)
    folder = landing / agency.kode / dataset
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
