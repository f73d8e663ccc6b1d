"""The accelerate config files load, and accelerate's launcher accepts them.

Nothing is launched: the launcher's own validation runs on each file, and the FSDP one
is turned into the plugin the trainer would receive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIGS = Path(__file__).parents[2] / "accelerate"
PACKAGE = "{{ package }}"
EXPECTED = {
    "single-gpu.yaml": "NO",
    "multi-gpu.yaml": "MULTI_GPU",
    "fsdp.yaml": "FSDP",
    "deepspeed-zero3.yaml": "DEEPSPEED",
}


def launch_args(config: Path):
    from accelerate.commands.launch import _validate_launch_command, launch_command_parser

    parsed = launch_command_parser().parse_args(
        ["--config_file", str(config), "-m", PACKAGE, "train"]
    )
    args, _, _ = _validate_launch_command(parsed)
    return args


def test_every_config_is_shipped():
    assert sorted(p.name for p in CONFIGS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_config_loads_with_the_expected_distribution(name: str):
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(CONFIGS / name))
    assert config.distributed_type.value == EXPECTED[name]
    args = launch_args(CONFIGS / name)
    assert args.multi_gpu == (EXPECTED[name] == "MULTI_GPU")
    assert args.use_fsdp == (EXPECTED[name] == "FSDP")
    assert args.use_deepspeed == (EXPECTED[name] == "DEEPSPEED")


def test_fsdp_config_becomes_an_fsdp2_plugin(monkeypatch: pytest.MonkeyPatch):
    from accelerate.utils import FullyShardedDataParallelPlugin
    from accelerate.utils.launch import prepare_multi_gpu_env

    env = prepare_multi_gpu_env(launch_args(CONFIGS / "fsdp.yaml"))
    for key, value in env.items():
        if key.startswith("FSDP_"):
            monkeypatch.setenv(key, value)
    plugin = FullyShardedDataParallelPlugin()
    assert plugin.fsdp_version == 2
    assert plugin.activation_checkpointing is True
    assert plugin.state_dict_type.name == "FULL_STATE_DICT"
