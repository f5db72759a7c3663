"""Sidebar controls that edit the page's configuration: scenario, market, labs, seed, export.

Every control calls ``apply`` with a pure edit from :mod:`labrace.visualiser.settings`, or ``load`` with a
scenario from :mod:`labrace.visualiser.sources`; a rejected value leaves the configuration unchanged and
shows the error message (field path and allowed values) in a slot that is always there, so that the
message appearing or going never remounts the cards below it (which would collapse the lab panels and
reset the file drop).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import solara

from labs.params import Param, ParameterError
from market.config import RaceConfig
from policies.registry import policy_names
from scenarios.loader import Scenario, config_to_toml, read_scenario, shipped_scenarios
from labrace.visualiser import settings
from labrace.visualiser.session import Session
from labrace.visualiser.sliders import ReleaseSlider
from labrace.visualiser.sources import ALLOWED_PATHS, scenario_from_bytes, scenario_from_path_box

Edit = Callable[..., RaceConfig]
Apply = Callable[..., None]
Load = Callable[[Callable[[], Scenario]], None]


def scenario_filename(config: RaceConfig) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in config.name) or "scenario"
    return f"{safe}.toml"


def export_text(config: RaceConfig) -> str:
    """The exported scenario: what ``labrace run`` needs to reproduce the page's model."""
    return config_to_toml(config, description="Exported from the labrace visualiser.")


@solara.component
def ScenarioCard(config: RaceConfig, load: Load) -> None:
    """Pick a shipped scenario, upload a file, or name one the server has; export the current settings."""
    path, set_path = solara.use_state("")
    shipped = list(shipped_scenarios())

    def upload(info: dict[str, Any]) -> None:
        load(lambda: scenario_from_bytes(info["data"], info["name"]))

    with solara.Card("Scenario", margin=0):
        solara.Text(f"Current: {config.name} ({len(config.labs)} labs, {config.horizon:g} years)")
        if shipped:
            solara.Select("Shipped scenario", values=shipped, value=config.name if config.name in shipped else None,
                          on_value=lambda name: load(lambda: read_scenario(name)))
        solara.FileDrop(label="Drop a scenario .toml here", on_file=upload, lazy=False)
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("Scenario on the server", value=path, on_value=set_path,
                             message=ALLOWED_PATHS)
            solara.Button("Load", on_click=lambda: load(lambda: scenario_from_path_box(path, Path.cwd())),
                          disabled=not path, outlined=True)
        solara.FileDownload(export_text(config), filename=scenario_filename(config),
                            label="Export scenario", mime_type="application/toml")


@solara.component
def MarketCard(config: RaceConfig, apply: Apply) -> None:
    """The demand form and sliders for every market parameter, made from their declarations."""
    market = config.market
    with solara.Card("Market", margin=0):
        solara.Select("demand form", values=settings.demand_forms(), value=market.demand,
                      on_value=lambda name: apply(settings.with_market, demand=name))
        tied = market.contest is None
        for slider in settings.market_sliders(market):
            if slider.name == "contest" and tied:
                continue
            ReleaseSlider(slider.name, slider.value, slider.low, slider.high, slider.step,
                          lambda v, name=slider.name: apply(settings.with_market, **{name: v}))
        solara.Checkbox(label="contest lambda = gamma", value=tied,
                        on_value=lambda on: apply(settings.with_market,
                                                  contest=None if on else market.contest_exponent))


def param_control(label: str, spec: Param, value: Any, on_value: Callable[[Any], None]) -> None:
    """The input a parameter spec calls for: checkbox, menu, share slider or number field."""
    if spec.kind == "bool":
        solara.Checkbox(label=label, value=value, on_value=on_value)
    elif spec.kind == "choice":
        solara.Select(label, values=list(spec.choices), value=value, on_value=on_value)
    elif spec.kind == "int":
        solara.InputInt(label, value=value, on_value=on_value, optional=spec.optional)
    elif spec.low == 0.0 and spec.high == 1.0:
        ReleaseSlider(label, value, 0.0, 1.0, 0.01, on_value)
    else:
        solara.InputFloat(label, value=value, on_value=on_value, optional=spec.optional)


@solara.component
def LabControls(config: RaceConfig, index: int, apply: Apply) -> None:
    """One lab: its policy from the registry, the policy's parameters, compute and discount rate."""
    lab = config.labs[index]
    with solara.Details(summary=f"{lab.name}: {lab.policy.name}", expand=index == 0):
        solara.Select("policy", values=policy_names(), value=lab.policy.name,
                      on_value=lambda name: apply(settings.with_lab_policy, index, name))
        current = lab.policy.kwargs
        for key, spec in settings.policy_params(lab.policy.name).items():
            param_control(key, spec, current[key],
                          lambda v, key=key: apply(settings.with_policy_param, index, key, v))
        solara.InputFloat("compute C(0)", value=lab.compute0,
                          on_value=lambda v: apply(settings.with_lab_number, index, "compute0", v))
        solara.InputFloat("discount rate rho", value=lab.discount,
                          on_value=lambda v: apply(settings.with_lab_number, index, "discount", v))


@solara.component
def LabsCard(config: RaceConfig, apply: Apply) -> None:
    with solara.Card("Labs", margin=0):
        ReleaseSlider("number of labs", len(config.labs), 1, settings.MAX_LABS, 1,
                      lambda n: apply(settings.with_lab_count, n), integer=True)
        for index in range(len(config.labs)):
            LabControls(config, index, apply)
        solara.InputInt("seed", value=config.seed, on_value=lambda s: apply(settings.with_seed, s))


@solara.component
def ErrorSlot(message: str) -> None:
    """The latest refusal, or nothing; always rendered, so the cards after it keep their place."""
    with solara.Column(gap="0px"):
        if message:
            solara.Error(message)


@solara.component
def SettingsPanel(session: Session) -> None:
    """All the settings; every accepted change gives the session a fresh model of the new configuration."""
    error = solara.use_reactive("")
    config = session.config

    def refused(action: Callable[[], None]) -> None:
        try:
            action()
        except ParameterError as problem:
            error.set(str(problem))
            return
        error.set("")

    def apply(edit: Edit, *args: Any, **kwargs: Any) -> None:
        def change() -> None:
            new = edit(session.config, *args, **kwargs)
            if new != session.config:
                session.configure(new)

        refused(change)

    def load(source: Callable[[], Scenario]) -> None:
        refused(lambda: session.load(source()))

    with solara.Column(gap="12px"):
        ErrorSlot(error.value)
        ScenarioCard(config, load)
        MarketCard(config, apply)
        LabsCard(config, apply)
