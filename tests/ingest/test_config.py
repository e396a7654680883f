from pathlib import Path

import pytest

import ingest
from ingest.config import Config, ConfigError, load_config
from ingest.errors import IngestError

DEFAULT_YAML = Path(ingest.__file__).with_name("default_config.yaml")


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "semibench.yaml"
    path.write_text(text)
    return path


def test_builtin_defaults_name_the_18_known_files():
    cfg = load_config(None)
    names = cfg.inferencemax.file_names()
    assert len(names) == len(set(names)) == 18
    assert "gpt-oss-120b-1k_8k-e2e.json" in names
    assert "llama-3_3-70b-instruct-fp8-8k_1k-interactivity.json" in names
    assert cfg.inferencemax.base_url == "https://inferencemax.semianalysis.com"
    assert (cfg.inferencemax.timeout_s, cfg.inferencemax.retries, cfg.inferencemax.backoff_s,
            cfg.inferencemax.concurrency) == (30, 4, 1.0, 4)
    assert cfg.archive.compress is False and cfg.archive.retention is None


def test_shipped_default_config_file_matches_builtin_defaults():
    assert load_config(DEFAULT_YAML) == Config()


def test_file_overrides_only_the_keys_it_sets(tmp_path):
    cfg = load_config(write(tmp_path, "inferencemax:\n  models: [gpt-oss-120b]\n  retries: 0\narchive:\n  retention: 3\n"))
    assert cfg.inferencemax.models == ("gpt-oss-120b",)
    assert cfg.inferencemax.retries == 0
    assert cfg.inferencemax.sequences == ("1k_1k", "1k_8k", "8k_1k")
    assert len(cfg.inferencemax.file_names()) == 6
    assert cfg.archive.retention == 3 and cfg.archive.compress is False


def test_empty_file_means_defaults(tmp_path):
    assert load_config(write(tmp_path, "")) == Config()


@pytest.mark.parametrize("text, expected", [
    ("inferencemax:\n  retires: 10\n", "unknown key 'inferencemax.retires'"),
    ("archiv:\n  compress: true\n", "unknown section 'archiv'"),
    ("inferencemax:\n  timeout_s: fast\n", "'inferencemax.timeout_s' must be a positive number"),
    ("inferencemax:\n  concurrency: 0\n", "'inferencemax.concurrency' must be an integer >= 1"),
    ("inferencemax:\n  retries: true\n", "'inferencemax.retries' must be an integer >= 0"),
    ("inferencemax:\n  types: [e2e, latency]\n", "unknown data type 'latency'"),
    ("inferencemax:\n  models: []\n", "'inferencemax.models' must be a non-empty list"),
    ("archive:\n  compress: yes please\n", "'archive.compress' must be true or false"),
    ("archive:\n  retention: 0\n", "retention must be at least 1"),
    ("- just\n- a list\n", "expected a mapping"),
    ("inferencemax: [\n", "not valid YAML"),
])
def test_bad_config_is_a_one_line_error_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert expected in message
    assert message.startswith(str(path))
    assert "\n" not in message
    assert isinstance(err.value, IngestError)


def test_missing_config_file_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="cannot read config"):
        load_config(tmp_path / "nope.yaml")


def test_cli_overrides_win_and_none_means_not_given():
    cfg = Config().with_overrides(compress=True, retention=2)
    assert cfg.archive.compress is True and cfg.archive.retention == 2
    assert Config().with_overrides() == Config()
    with pytest.raises(ConfigError, match="at least 1"):
        Config().with_overrides(retention=0)
