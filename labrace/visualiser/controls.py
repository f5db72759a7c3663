"""Sidebar controls that edit the page's configuration: scenario, market, labs, seed, export.

Every control calls :func:`apply` with a pure edit from :mod:`labrace.visualiser.settings`; a rejected value
leaves the configuration unchanged and shows the core's error message (field path and allowed values).
"""

from __future__ import annotations

from typing import Any, Callable

import solara

from labs.params import Param, ParameterError
from market.config import RaceConfig
from policies.registry import policy_names
from scenarios.loader import config_to_toml, load_scenario, shipped_scenarios
from labrace.visualiser import settings

Edit = Callable[..., RaceConfig]
Apply = Callable[..., None]


def scenario_filename(config: RaceConfig) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in config.name) or "scenario"
    return f"{safe}.toml"


def export_text(config: RaceConfig) -> str:
    """The exported scenario: what ``labrace run`` needs to reproduce the page's model."""
    return config_to_toml(config, description="Exported from the labrace visualiser.")


@solara.component
def ScenarioCard(config: RaceConfig, apply: Apply) -> None:
    """Pick a shipped scenario, upload a file, or type a path; export the current settings."""
    path, set_path = solara.use_state("")
    shipped = list(shipped_scenarios())

    def load(source: str) -> None:
        apply(lambda _config: load_scenario(source))

    def upload(info: dict[str, Any]) -> None:
        apply(lambda _config: settings.config_from_upload(info["data"], info["name"]))

    with solara.Card("Scenario", margin=0):
        solara.Text(f"Current: {config.name} ({len(config.labs)} labs, {config.horizon:g} years)")
        if shipped:
            solara.Select("Shipped scenario", values=shipped,
                          value=config.name if config.name in shipped else None, on_value=load)
        solara.FileDrop(label="Drop a scenario .toml here", on_file=upload, lazy=False)
        with solara.Row(style={"align-items": "center"}):
            solara.InputText("Scenario file path", value=path, on_value=set_path)
            solara.Button("Load", on_click=lambda: load(path), disabled=not path, outlined=True)
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
            solara.SliderFloat(slider.name, value=slider.value, min=slider.low,
                               max=slider.high, step=slider.step,
                               on_value=lambda v, name=slider.name: apply(settings.with_market, **{name: v}))
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
        solara.SliderFloat(label, value=value, min=0.0, max=1.0, step=0.01, on_value=on_value)
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
        solara.SliderInt("number of labs", value=len(config.labs), min=1, max=settings.MAX_LABS,
                         on_value=lambda n: apply(settings.with_lab_count, n))
        for index in range(len(config.labs)):
            LabControls(config, index, apply)
        solara.InputInt("seed", value=config.seed, on_value=lambda s: apply(settings.with_seed, s))


@solara.component
def SettingsPanel(config: solara.Reactive[RaceConfig], on_config: Callable[[RaceConfig], None]) -> None:
    """All the controls; ``on_config`` receives every accepted new configuration."""
    error = solara.use_reactive("")

    def apply(edit: Edit, *args: Any, **kwargs: Any) -> None:
        try:
            new = edit(config.value, *args, **kwargs)
        except ParameterError as problem:
            error.set(str(problem))
            return
        error.set("")
        if new != config.value:
            on_config(new)

    with solara.Column(gap="12px"):
        if error.value:
            solara.Error(error.value)
        ScenarioCard(config.value, apply)
        MarketCard(config.value, apply)
        LabsCard(config.value, apply)
