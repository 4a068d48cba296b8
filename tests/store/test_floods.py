"""Event floods: a check with more new events than its limit holds them all, alerts none,
raises one operational event, and lets the user release or drop them."""

from __future__ import annotations

import json

from helpers.cli import Daemon, run_cli
from helpers.config import hook, json_source_config
from helpers.http import Reply

FLOOD = 2000


def rows(count: int, start: int = 0) -> list[dict[str, str]]:
    return [{"code": f"S{n:05d}", "state": f"State {n}", "title": f"Ratification by State {n}"}
            for n in range(start, start + count)]


def flood_site(tmp_path, server):
    """A JSON treaty list behind /p.json and a webhook receiver at /hook that wants ops events."""
    data = {"rows": rows(3)}
    server.routes["/p.json"] = lambda seen: Reply(200, json.dumps(data["rows"]), {"Content-Type": "application/json"})
    server.routes["/hook"] = Reply(200, "ok")
    config = json_source_config(tmp_path, f"{server.base}/p.json",
                                # a list of one treaty's parties: its rows need not name it
                                'treaty = { id = "T-1" }'
                                + hook(f"{server.base}/hook", "desk", ops=True, retry_base="100ms"))
    return data, config


def cli(config, *args):
    result = run_cli("--config", str(config), *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def alerts(server) -> list[dict]:
    return [json.loads(seen.body) for seen in server.hits("/hook")]


def listed(config) -> list[dict]:
    return json.loads(cli(config, "events", "--json", "--limit", "100000").stdout)


def test_a_flood_is_held_raises_one_ops_event_and_release_sends_each_once(tmp_path, server):
    data, config = flood_site(tmp_path, server)
    cli(config, "check")  # baseline
    data["rows"] = rows(3) + rows(FLOOD, start=3)
    result = cli(config, "check")
    assert "Events held: " in result.stdout and "2000" in result.stdout
    assert result.stdout.count("\n") < 20  # the held events are summed up, not printed one by one
    sent = alerts(server)
    assert [a["type"] for a in sent] == ["events_held"]  # 0 treaty alerts, 1 operational event
    assert sent[0]["source"] == "parties" and sent[0]["details"]["count"] == FLOOD
    assert "parties" in sent[0]["title"] and "2000" in sent[0]["title"]
    events = listed(config)
    held = [e for e in events if e["hold"] == "held"]
    assert len(held) == FLOOD and {e["type"] for e in held} == {"ratification"}
    assert "[held] Ratification: State 1000" in cli(config, "events", "--limit", "100000").stdout
    assert json.loads(cli(config, "deliveries", "--json").stdout)[0]["type"] == "events_held"

    # Restarted, re-checked: still held, still nothing sent.
    cli(config, "check")
    assert len(alerts(server)) == 1
    listing = cli(config, "held", "--source", "parties").stdout
    assert "parties: 2000 held (2000 ratification)" in listing and "… and 1950 more" in listing

    result = cli(config, "release", "--source", "parties")
    assert "2000 held events released" in result.stdout and "2000 sent" in result.stdout
    sent = alerts(server)
    ratifications = [a["id"] for a in sent if a["type"] == "ratification"]
    assert len(ratifications) == FLOOD and len(set(ratifications)) == FLOOD
    assert set(ratifications) == {e["id"] for e in held}
    # Nothing is sent twice: another check, another release, another delivery step.
    cli(config, "check")
    assert "0 held events released" in cli(config, "release", "--all").stdout
    assert len(alerts(server)) == FLOOD + 1
    assert "no held events" in cli(config, "held").stdout
    assert {e["hold"] for e in listed(config) if e["type"] == "ratification"} == {"released"}


def test_dropped_events_are_kept_and_never_sent(tmp_path, server):
    data, config = flood_site(tmp_path, server)
    cli(config, "check")
    data["rows"] = rows(3) + rows(40, start=3)  # over the default limit of 25
    cli(config, "check")
    assert [a["type"] for a in alerts(server)] == ["events_held"]
    some = [e["id"] for e in json.loads(cli(config, "held", "--json").stdout)][:2]
    assert "2 held events dropped" in cli(config, "drop", *some).stdout
    assert "38 held events dropped" in cli(config, "drop", "--source", "parties").stdout
    result = run_cli("--config", str(config), "release", *some)  # a dropped event cannot be released
    assert result.returncode == 1 and "2 of the given ids are not held events" in result.stderr
    cli(config, "check")
    assert [a["type"] for a in alerts(server)] == ["events_held"]
    events = listed(config)
    assert sum(e["hold"] == "dropped" for e in events) == 40
    assert "[dropped] Ratification" in cli(config, "events").stdout


def test_a_check_within_the_limit_alerts_as_usual_and_the_limit_is_per_source(tmp_path, server):
    data, config = flood_site(tmp_path, server)
    text = config.read_text().replace('fields = { subject = "state", title = "title" }',
                                      'fields = { subject = "state", title = "title" }\nmax_events_per_check = 5')
    config.write_text(text)
    cli(config, "check")
    data["rows"] = rows(3) + rows(5, start=3)  # exactly the limit: sent
    cli(config, "check")
    assert [a["type"] for a in alerts(server)] == ["ratification"] * 5
    data["rows"] = rows(3) + rows(11, start=3)  # six more: held
    cli(config, "check")
    assert [a["type"] for a in alerts(server)][5:] == ["events_held"]
    assert alerts(server)[5]["details"] == {"count": 6, "limit": 5, "types": {"ratification": 6}}


def test_release_and_drop_refuse_an_empty_or_unknown_choice(tmp_path, server):
    _, config = flood_site(tmp_path, server)
    for args in (["release"], ["drop"], ["release", "--all", "--source", "parties"], ["drop", "--source", "nope"]):
        result = run_cli("--config", str(config), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, args
    assert "give event ids, --source NAME or --all" in run_cli("--config", str(config), "drop").stderr
    assert "unknown source 'nope'" in run_cli("--config", str(config), "drop", "--source", "nope").stderr


def test_the_limit_is_validated_and_settable_in_defaults(tmp_path, server):
    _, config = flood_site(tmp_path, server)
    config.write_text(config.read_text().replace('host_delay = "0s"', 'host_delay = "0s"\nmax_events_per_check = 0'))
    result = run_cli("--config", str(config), "validate")
    assert result.returncode == 2 and "defaults.max_events_per_check: must be at least 1, not 0" in result.stderr


def test_a_running_daemon_sends_what_release_no_send_queued_once(tmp_path, server):
    data, config = flood_site(tmp_path, server)
    config.write_text(config.read_text() + '\n[daemon]\ndelivery_interval = "200ms"\nshutdown_timeout = "5s"\n')
    cli(config, "check")
    data["rows"] = rows(3) + rows(30, start=3)
    cli(config, "check")
    assert [a["type"] for a in alerts(server)] == ["events_held"]
    daemon = Daemon(config)
    try:
        daemon.wait_for(lambda: daemon.logged("legal-monitor running"), what="the daemon to start")
        result = cli(config, "release", "--no-send", "--source", "parties")
        assert "30 held events released" in result.stdout and "deliveries:" not in result.stdout
        daemon.wait_for(lambda: len(alerts(server)) >= 31, what="the daemon to send the released events")
    finally:
        assert daemon.stop() == 0
    sent = [a["id"] for a in alerts(server) if a["type"] == "ratification"]
    assert len(sent) == 30 and len(set(sent)) == 30
    assert json.loads(cli(config, "deliveries", "--pending", "--json").stdout) == []
