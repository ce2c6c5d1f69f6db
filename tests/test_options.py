"""How ``--set`` and ``--param`` values are read and combined, and what the sweep shows
of them: no value given is dropped without a word, and what is shown tells the values
apart."""

from __future__ import annotations

import csv

import pytest
from helpers import DEFAULT
from test_sweep import refuse_runs

import run_sim
from sim.cluster import check_address
from sim.document import split_values
from sim.errors import ScenarioError
from sim.experiments import parse_param, parse_params, sweep_scenarios
from sim.scenario import load_scenario

QUICK = ["--runs", "20", "--workers", "1", "--no-progress"]
DETERRENCE = "ceasefire.monitoring.deterrence"


def status(*args: str) -> int:
    return run_sim.main([*args, *QUICK])


def test_a_param_and_a_table_holding_it_are_refused_in_either_order(monkeypatch, capsys):
    """Both were run: the table replaced the key (or the reverse), and rows labelled with
    different values of the key were identical."""
    refuse_runs(monkeypatch)
    table = "ceasefire.monitoring={notice=0.7},{notice=0.8}"
    for first, second in ((f"{DETERRENCE}=0.3,0.6", table), (table, f"{DETERRENCE}=0.3,0.6")):
        with pytest.raises(ScenarioError, match="one lies inside the other"):
            parse_params([first, second])
        assert status("sweep", str(DEFAULT), "--param", first, "--param", second) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --param: ") and "one lies inside the other" in err


def test_a_set_replacing_an_earlier_set_is_refused(monkeypatch, capsys):
    refuse_runs(monkeypatch)
    for later in ("ceasefire.monitoring={notice=0.7}", f"{DETERRENCE}=0.8"):
        assert status("compare", str(DEFAULT), "--set", f"{DETERRENCE}=0.9",
                      "--set", later) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: --set: {later.partition('=')[0]}: {later!r} would replace ")
        assert "--set gave" in err and "give each key one value" in err and "bad value" not in err


def test_a_set_inside_an_earlier_table_refines_it():
    scenario = load_scenario(DEFAULT, ["ceasefire.monitoring={notice=0.7}",
                                       f"{DETERRENCE}=0.9"])
    monitoring = scenario.spec.ceasefire.monitoring
    assert (monitoring.notice, monitoring.deterrence) == (0.7, 0.9)


def test_a_param_replacing_a_set_value_is_refused_but_one_inside_its_table_is_not():
    base = load_scenario(DEFAULT, [f"{DETERRENCE}=0.9"])
    for key in ("ceasefire.monitoring", DETERRENCE):
        params = parse_params([f"{key}=" + ("{notice=0.7},{notice=0.8}" if key != DETERRENCE
                                            else "0.1,0.2")])
        with pytest.raises(ScenarioError, match=r"would replace .*--set gave"):
            sweep_scenarios(base, params)
    base = load_scenario(DEFAULT, ["ceasefire.monitoring={notice=0.7}"])
    points = sweep_scenarios(base, parse_params([f"{DETERRENCE}=0.1,0.2"]))
    assert [(p.spec.ceasefire.monitoring.notice, p.spec.ceasefire.monitoring.deterrence)
            for _, p in points] == [(0.7, 0.1), (0.7, 0.2)]


def test_values_split_at_the_commas_between_them_only():
    assert split_values("{a = 1, b = 2},{a = 3}") == ["{a = 1, b = 2}", "{a = 3}"]
    assert split_values('"x, y", z') == ['"x, y"', "z"]
    assert split_values("'x, y',z") == ["'x, y'", "z"]
    assert split_values('"a\\", b",c') == ['"a\\", b"', "c"]
    assert split_values("[1, [2, 3]], 4") == ["[1, [2, 3]]", "4"]
    _, values = parse_param("ceasefire.monitoring={notice=0.7, coverage=0.5},{notice=0.8}")
    assert values == [{"notice": 0.7, "coverage": 0.5}, {"notice": 0.8}]


def test_a_quoted_key_may_hold_an_equals_sign():
    assert parse_param('ceasefire.milestones."a=b"=24,48') == ('ceasefire.milestones."a=b"',
                                                                [24, 48])


@pytest.mark.parametrize(("spec", "allowed"), [
    ("0:1:3,0.7", "a range or a list, not both"),
    ("0.1,,0.2", "one is empty"),
    ("0.1,0.2,", "one is empty"),
    ("1e308:-1e308:3", "span stop - start is a finite number"),
])
def test_malformed_values_are_named(spec, allowed):
    with pytest.raises(ScenarioError, match=allowed) as caught:
        parse_param(f"{DETERRENCE}={spec}")
    assert caught.value.value == spec


@pytest.mark.parametrize(("option", "assignment", "says"), [
    ("--set", "name=[1,2", "Unclosed array"),
    ("--set", "ceasefire.monitoring={notice=}", "Invalid value"),
    ("--set", 'title="unclosed', "Unterminated string"),
    ("--param", "ceasefire.monitoring={notice=0.7},{notice=", "Invalid value"),
])
def test_a_value_that_opens_an_array_a_table_or_a_string_must_be_toml(
        option, assignment, says, capsys):
    """Read as a bare word it would name the scenario ``[1,2`` or be refused as "not a
    table"; the TOML error says what is wrong with what was typed."""
    command = "sweep" if option == "--param" else "run"
    assert status(command, str(DEFAULT), option, assignment) == 2
    err = capsys.readouterr().err
    assert f"error: {option}: " in err and says in err and "at end of document" not in err


def test_a_bare_word_is_still_a_string():
    assert load_scenario(DEFAULT, ["title=it works"]).spec.title == "it works"


def test_an_address_without_a_port_is_refused_at_once(capsys):
    """dask's client refused it only after waiting out its timeout, with a traceback."""
    for address in ("notanaddress", "tcp://127.0.0.1"):
        with pytest.raises(ScenarioError, match="with its port"):
            check_address(address)
    check_address("tcp://127.0.0.1:8786")
    check_address("127.0.0.1:8786")
    assert status("run", str(DEFAULT), "--dask", "notanaddress") == 2
    assert "with its port" in capsys.readouterr().err


def test_sweep_labels_tell_close_values_apart(capsys):
    assert status("sweep", str(DEFAULT), "--param", f"{DETERRENCE}=0.30001,0.30002,0.3") == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines()
            if line.strip().startswith("0.3")]
    assert rows[:3] == ["0.30001", "0.30002", "0.3"]


def test_sweep_csv_leaves_an_estimate_that_does_not_exist_empty(tmp_path, capsys):
    """With nothing agreed, P(hold) given agreement has no estimate: summary.json writes
    null, and sweep.csv wrote nan."""
    out = tmp_path / "sweep"
    assert status("sweep", str(DEFAULT), "--param",
                  "parties.russia.positions.delineation.min=0.6,0.8", "--out", str(out)) == 0
    with (out / "sweep.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    never = rows[1]
    assert float(never["p_agreement"]) == 0.0
    assert never["p_hold_given_agreement_48h"] == ""
    assert (never["p_hold_given_agreement_48h_low"], never["p_hold_given_agreement_48h_high"]
            ) == ("0.0", "1.0")
    assert "nan" not in (out / "sweep.csv").read_text()


def test_sweep_csv_writes_a_table_as_toml(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert status("sweep", str(DEFAULT), "--param",
                  'ceasefire.milestones={"48h"=48.0},{"48h"=24.0}', "--out", str(out)) == 0
    with (out / "sweep.csv").open() as fh:
        assert [row["ceasefire.milestones"] for row in csv.DictReader(fh)] == [
            "{ 48h = 48.0 }", "{ 48h = 24.0 }"]


@pytest.mark.parametrize(("values", "says", "never"), [
    ("0.5,1", "bad value 0.5; a whole number (an integer field)", "start:stop:num"),
    ("0.0:4.0:3", "write the range's ends as integers (0:4:3", "Input should be"),
    ("0:3:3", "bad value 1.5; a whole number (an integer field); the values 0, 1.5, 3",
     "Input should be"),
])
def test_an_integer_field_says_how_to_write_its_values(capsys, values, says, never):
    """A list of values was told to "give start:stop:num whose steps are whole", and a
    range of whole floats got no hint at all."""
    assert status("sweep", str(DEFAULT), "--param",
                  f"ceasefire.convoys.max_per_pause={values}") == 2
    err = capsys.readouterr().err
    assert says in err and never not in err


@pytest.mark.parametrize("table", ["ceasefire.monitoring={deterrence=0.6}",
                                   "ceasefire={monitoring.deterrence=0.6}"])
def test_a_key_a_table_gave_is_not_replaced_by_a_later_set(table, monkeypatch, capsys):
    """'A key after the table refines it' let a key the table itself gave be replaced."""
    refuse_runs(monkeypatch)
    assert status("run", str(DEFAULT), "--set", table, "--set", f"{DETERRENCE}=0.5") == 2
    assert ", which --set gave before: give each key one value" in capsys.readouterr().err


def test_a_param_on_a_key_a_set_table_gave_is_refused():
    base = load_scenario(DEFAULT, ["ceasefire.monitoring={deterrence=0.7}"])
    with pytest.raises(ScenarioError,
                       match=r"the value in the table ceasefire\.monitoring, which --set gave before"):
        sweep_scenarios(base, parse_params([f"{DETERRENCE}=0.4,0.5"]))


def test_a_table_is_one_value_whatever_the_order_of_its_keys():
    with pytest.raises(ScenarioError, match="comes more than once"):
        parse_param("ceasefire.monitoring={notice=0.7, coverage=0.5},{coverage=0.5, notice=0.7}")


def test_a_float_range_ends_exactly_at_its_stop():
    """0.1 + 3 * (0.9 - 0.1) / 3 is 0.9000000000000001 in floats: the last point is the
    stop as written, so it matches a list that names it."""
    _, values = parse_param(f"{DETERRENCE}=0.1:0.9:4")
    assert values[-1] == 0.9 and values[0] == 0.1 and len(values) == 4


def test_a_grid_may_hold_exactly_the_most_points():
    """100 x 100 values make 10,000 points, the most a sweep takes; 73 x 137 = 10,001 is
    refused."""
    def values(n: int) -> str:
        return ",".join(str(k) for k in range(n))

    assert len(parse_params([f"seed_a={values(100)}", f"seed_b={values(100)}"])) == 2
    with pytest.raises(ScenarioError, match="at most 10,000 points"):
        parse_params([f"seed_a={values(73)}", f"seed_b={values(137)}"])


def test_each_command_s_help_describes_its_own_options(capsys):
    """Every command's --json said '(sweep: a list, ...)', and backtest's --format said
    'with --plot', though backtest draws its figure with --out alone."""
    import run_sim

    def helped(command: str) -> str:
        with pytest.raises(SystemExit):
            run_sim.main([command, "--help"])
        return " ".join(capsys.readouterr().out.split())

    backtest, sweep, compare = helped("backtest"), helped("sweep"), helped("compare")
    assert "--format {png,svg} with --out: figure format" in backtest
    assert ("--plot also draw each scenario's run figures into --out DIR/cases/NAME "
            "(the calibration figure is drawn without it)") in backtest
    assert "--format {png,svg} with --plot: figure format" in compare
    assert "--json print JSON (a list, one object per point)" in sweep
    assert "--json print JSON --no-progress" in compare and "sweep" not in compare


@pytest.mark.parametrize(("param", "says"), [
    ("ceasefire.convoys.max_per_pause=0:30000:2", "bad value 30000; a whole number from 0 to 10,000"),
    ("ceasefire.max_acts=0:10:2", "bad value 0; a whole number from 1 to 100,000,000")])
def test_a_whole_number_out_of_range_in_a_sweep_is_told_its_range(capsys, param, says):
    """It was told to write its range's ends as integers, which they were."""
    assert status("sweep", str(DEFAULT), "--param", param, "--runs", "3") == 2
    err = capsys.readouterr().err
    assert says in err and "write the range's ends" not in err


@pytest.mark.parametrize(("written", "meant"), [
    (".5", "write 0.5"), ("0,5", "write 0.5"), ("5.", "write 5.0"), ("07", "write 7"),
    ("1,000", "write 1000, or 1.0 if the comma marks decimals"), ('"0.5"', "write 0.5 without quotes")])
def test_a_number_toml_reads_as_text_is_refused_with_the_number_meant(written, meant, capsys):
    """'--set ...leverage=.5' was kept as the word '.5' and refused as "a number from 0
    to 1", which .5 looks like; in --param too. A key that takes text still takes it."""
    key = "parties.us.behaviour.leverage"
    assert run_sim.main(["run", "--set", f"{key}={written}", *QUICK]) == 2
    err = capsys.readouterr().err
    assert f"{key}: bad value '{written.strip(chr(34))}'; a number from 0 to 1 (TOML reads " in err
    assert err.rstrip().endswith(f"as text: {meant})")
    if "," not in written:  # (in --param a comma separates values)
        assert run_sim.main(["sweep", str(DEFAULT), "--param", f"{key}=0.4,{written}",
                             *QUICK]) == 2
        assert f"as text: {meant})" in capsys.readouterr().err
    assert load_scenario(DEFAULT, [f"name={written}"]).spec.name == written.strip('"')


@pytest.mark.parametrize(("written", "said"), [
    ("5.", " (TOML reads '5.' as text: write 5)"), ("1,000", " (TOML reads '1,000' as text: write 1000)"),
    ("0,5", ""), ("1,000,000", " (TOML reads '1,000,000' as text: write 1000000)")])
def test_where_a_whole_number_goes_the_hint_names_a_whole_number(written, said, capsys):
    """'max_per_pause=5.' was told to write 5.0, which is refused as not whole; a
    thousands separator was read only in a single group."""
    key = "ceasefire.convoys.max_per_pause"
    assert run_sim.main(["run", "--set", f"{key}={written}", *QUICK]) == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"bad value '{written}'; a whole number from 0 to 10,000{said}")
