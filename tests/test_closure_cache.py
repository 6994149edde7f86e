"""The code-state cache a no-op build reads instead of walking the package's imports."""

from __future__ import annotations

from analysis.site import closure


def test_the_states_a_build_asks_for_stay_cached_whatever_their_keys(tmp_path):
    """A build asks for three code states (reports, grid, ingestion) every time: once each has
    been worked out, none is worked out again — however their keys sort, and with older states
    already in the cache."""
    computed: list[str] = []

    def state(key: str):
        return lambda: computed.append(key) or {"code": key}

    for old in range(closure.KEEP):  # a full cache of states of earlier code
        closure._cached(tmp_path, f"{old:02d}-old", state(f"{old:02d}-old"))
    computed.clear()
    keys = ["ff-reports", "00-grid", "77-ingest"]
    for _ in range(3):  # three builds
        for key in keys:
            assert closure._cached(tmp_path, key, state(key)) == {"code": key}
    assert computed == keys
