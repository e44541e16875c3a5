"""Option ``persistent``: the connection pool outlives the client."""


def _calls_through_fresh_clients(sb, **options):
    for _ in range(3):
        with sb.client(**options) as c:
            c.call("SandboxEcho", {"a": "1"})
    return sb.stats()["api_connections"]


def test_persistent_clients_share_one_connection(start_sandbox):
    sb = start_sandbox()
    assert _calls_through_fresh_clients(sb, persistent=True, idle_timeout_ms=30000) == 1


def test_not_persistent_by_default(start_sandbox):
    sb = start_sandbox()
    assert _calls_through_fresh_clients(sb) == 3
