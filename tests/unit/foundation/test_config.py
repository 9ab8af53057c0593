"""Config substitution (${VAR:default}, nameko's syntax) and where each service's database is."""
import pytest

from shared.config import database_url, embedded_config, load_config, substitute

pytestmark = pytest.mark.timeout(10)


def test_variable_set_wins_over_default():
    assert substitute("${BROKER_URL:memory://}", {"BROKER_URL": "amqp://x"}) == "amqp://x"


def test_default_used_when_variable_unset():
    assert substitute("${BROKER_URL:memory://}", {}) == "memory://"


def test_missing_variable_without_default_is_empty():
    assert substitute("a${NOPE}b", {}) == "ab"


def test_nested_default():
    assert substitute("${A:x${B:y}z}", {}) == "xyz"
    assert substitute("${A:x${B:y}z}", {"B": "Q"}) == "xQz"


def test_whole_value_is_typed_after_substitution(tmp_path):
    cfg = tmp_path / "c.yml"
    cfg.write_text("PORT: ${PORT:9101}\nURL: amqp://${HOST:h}/\nFLAG: ${F:true}\n")
    loaded = load_config(cfg, env={})
    assert loaded == {"PORT": 9101, "URL": "amqp://h/", "FLAG": True}
    assert load_config(cfg, env={"PORT": "7"})["PORT"] == 7


def test_suite_config_defaults_to_the_embedded_broker():
    assert load_config(env={})["AMQP_URI"] == "memory://"


def test_database_url_per_service_then_template_then_sqlite_file(tmp_path):
    config = {"DATABASES": {"roster": "postgresql://h/r"},
              "DATABASE_URL_TEMPLATE": "postgresql://h/lianbao_{service}", "DATA_DIR": str(tmp_path)}
    assert database_url("roster", config) == "postgresql://h/r"
    assert database_url("survey", config) == "postgresql://h/lianbao_survey"
    config["DATABASE_URL_TEMPLATE"] = ""
    assert database_url("survey", config) == f"sqlite:///{tmp_path.resolve()}/survey.db"


def test_embedded_config_has_no_broker_and_no_metrics_port(tmp_path):
    config = embedded_config(tmp_path, RPC_TIMEOUT=5)
    assert config["AMQP_URI"] == "memory://"
    assert set(config["METRICS_PORTS"].values()) == {0}
    assert config["RPC_TIMEOUT"] == 5
    assert database_url("rewards", config).startswith("sqlite:///")


def test_broker_url_may_list_a_clusters_nodes():
    from shared.config import broker_hosts, broker_urls

    url = "amqp://u:p@rabbit1:5672/;amqp://u:p@rabbit2:5672/ ; amqp://u:p@rabbit3:5672/;"
    assert broker_urls(url) == ["amqp://u:p@rabbit1:5672/", "amqp://u:p@rabbit2:5672/",
                                "amqp://u:p@rabbit3:5672/"]
    assert broker_hosts(url) == "rabbit1:5672/, rabbit2:5672/, rabbit3:5672/"   # no credentials
    assert broker_urls("memory://") == ["memory://"]
