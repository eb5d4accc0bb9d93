"""Benchmark: the address search, the place description of a pin and the import, for N synthetic
addresses (default 100,000 and 1,000,000) in a database of their own.

    .venv/bin/python bench/addresses.py [--count 100000 1000000] [--queries 300] [--reports 200]

The database is maengelmelder_bench_addresses on the project-local cluster (or
BENCH_ADDRESSES_DATABASE_URL), with the demo city's districts. For every N the addresses and
streets are emptied, N addresses on about N/40 generated streets are made up (German-looking
names such as "Kölner Straße", "Alter Lindenweg", "Heinrich-Heine-Straße", "Am Weiher"; house
numbers along a line, some with a/b; clearly synthetic, nothing leaves this database) and
loaded through the real import (`store()`, rows/s). Then, in-process:

- the search, `search()` and GET /api/v1/adressen?q= through Flask's test client, for five kinds
  of what people type (full address, abbreviated, with typos, a prefix while typing, the street
  alone): p50/p95/p99, the bare SQL (summed cursor time), and how often the street meant is the
  first candidate;
- the place of a pin, `place_of()` and GET /api/v1/adressen/ort, at random points in the city;
- filing a report (`file_report`, rolled back) without and with the addresses: what the place
  description adds to the insert.

Goal: search p95 < 30 ms at 100,000 addresses.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TypeVar
from urllib.parse import urlencode

from common import bench_config, database_time, percentile
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.addresses.importing import Row, store
from app.addresses.normal import normalise
from app.addresses.places import place_of
from app.addresses.search import search
from app.demo import service as demo
from app.extensions import db
from app.reports.rules import NewReport
from app.reports.service import file_report

GOAL_P95_MS = 30.0
GOAL_COUNT = 100_000
SOURCE = "bench"
SEED = 14
PER_STREET = 40  # addresses per street on average
MAX_PER_STREET = 400
METRES_PER_DEGREE = 111_320.0
COS_LAT = math.cos(math.radians(51.17))

# --- synthetic street names -------------------------------------------------------------------

TOWNS = [
    "Kölner", "Düsseldorfer", "Wuppertaler", "Remscheider", "Bonner", "Hildener", "Haaner",
    "Leverkusener", "Mülheimer", "Burger", "Ohligser", "Walder", "Gräfrather", "Höhscheider",
    "Merscheider", "Dürener", "Aachener", "Essener", "Lüdenscheider", "Langenfelder",
    "Monheimer", "Mettmanner", "Velberter", "Elberfelder", "Barmer", "Cronenberger", "Lenneper",
    "Wermelskirchener",
    "Burscheider", "Opladener", "Neusser", "Krefelder", "Dortmunder", "Hagener", "Siegener",
    "Koblenzer", "Trierer", "Frankfurter", "Berliner", "Münsteraner",
]  # fmt: skip
NOUNS = [
    "Linden", "Eichen", "Buchen", "Birken", "Ahorn", "Kastanien", "Rosen", "Tulpen", "Mühlen",
    "Schul", "Kirch", "Bach", "Berg", "Wald", "Feld", "Wiesen", "Garten", "Hof", "Haupt",
    "Bahnhof", "Markt", "Brunnen", "Schloss", "Burg", "Tal", "Hütten", "Hammer", "Kotten",
    "Schmiede", "Weber", "Gerber", "Färber", "Sonnen", "Stern", "Rhein", "Wupper", "Itter",
    "Heide", "Moor", "Weiher", "Teich", "Quellen", "Kamp", "Hecken", "Grenz", "Friedhof", "Post",
    "Zoll", "Hauptmann", "Schützen", "Jäger", "Fischer", "Müller", "Schmied", "Klingen",
    "Messer", "Scheren", "Schleifer", "Hammerwerk", "Fabrik", "Ziegel", "Kalk", "Stein",
    "Felsen", "Höhen", "Sonnenblumen", "Nelken", "Veilchen", "Flieder", "Holunder", "Eschen",
    "Ulmen", "Tannen", "Fichten", "Kiefern", "Erlen", "Weiden", "Pappel", "Apfel", "Kirschen",
]  # fmt: skip
# (suffix, grammatical gender for "Alte/Alter/Altes"), written onto the noun.
NOUN_SUFFIXES = [
    ("straße", "f"), ("weg", "m"), ("allee", "f"), ("platz", "m"), ("gasse", "f"),
    ("ring", "m"), ("pfad", "m"), ("feld", "n"), ("kamp", "m"), ("hof", "m"),
]  # fmt: skip
TOWN_SUFFIXES = [("Straße", "f"), ("Weg", "m"), ("Platz", "m"), ("Allee", "f"), ("Ring", "m")]
MODIFIERS = ["Alt", "Neu", "Ober", "Unter", "Klein", "Groß"]
ENDINGS = {"f": "e", "m": "er", "n": "es"}
PLACES = [
    "Am Weiher", "Am Kotten", "Am Hammer", "Am Bach", "Am Berg", "Am Hang", "Am Wall",
    "Am Brunnen", "Am Markt", "Am Stadtpark", "Am Eickenberg", "Am Neuenhof", "Am Holzplatz",
    "An der Linde", "An der Mühle", "An der Kirche", "An der Schule", "An der Wupper",
    "An der Höhe", "Im Grund", "Im Tal", "Im Siepen", "Im Hagen", "Im Hof", "Im Eichenhain",
    "Auf der Höhe", "Auf dem Kamp", "Auf der Heide", "Zum Hammer", "Zum Kotten", "Zur Mühle",
    "In den Birken", "In den Weiden", "Hinter der Burg", "Unter den Linden", "Vor dem Tor",
]  # fmt: skip
FIRST = [
    "Heinrich", "Friedrich", "Wilhelm", "Konrad", "Johann", "Ernst", "Max", "Clara", "Bertha",
    "Luise", "Sophie", "Anna", "Karl", "Walter", "Gustav", "Hermann", "Otto", "Käthe", "Else",
    "Rudolf", "Albert", "Emil", "Hedwig", "Margarete", "Paul", "Theodor", "Ludwig", "Elisabeth",
]  # fmt: skip
LAST = [
    "Heine", "Schiller", "Goethe", "Adenauer", "Ebert", "Brüning", "Kollwitz", "Schumacher",
    "Böll", "Lessing", "Müller", "Schäfer", "Görres", "Kühn", "Weiß", "Hoffmann", "Fuchs",
    "Becker", "Wagner", "Schröder", "Krüger", "Hahn", "Lange", "Vogel", "Jung", "Röntgen",
    "Kästner", "Brecht", "Mann", "Hesse", "Storm", "Fontane", "Busch", "Uhland", "Mörike",
    "Eichendorff", "Hölderlin", "Kleist", "Grimm", "Humboldt", "Liebig", "Diesel", "Benz",
    "Daimler", "Siemens", "Bosch", "Zeppelin", "Planck", "Hertz", "Ohm", "Gauß", "Kepler",
]  # fmt: skip
PERSON_SUFFIXES = ["Straße", "Weg", "Platz", "Allee"]


def street_names() -> list[str]:
    """Every name the generator knows (about 20,000), in a fixed order."""
    names: list[str] = []
    plain = [(noun + suffix, gender) for noun in NOUNS for suffix, gender in NOUN_SUFFIXES]
    plain += [(f"{town} {suffix}", gender) for town in TOWNS for suffix, gender in TOWN_SUFFIXES]
    plain += [(last + suffix.lower(), "f" if suffix == "Straße" else "m") for last in LAST
              for suffix in ("Straße", "Weg")]  # fmt: skip
    names += [name for name, _ in plain]
    names += [f"{m}{ENDINGS[gender]} {name}" for name, gender in plain for m in MODIFIERS]
    names += PLACES
    names += [f"{f}-{last}-{suffix}" for f in FIRST for last in LAST for suffix in PERSON_SUFFIXES]
    return list(dict.fromkeys(names))


# --- synthetic addresses ---------------------------------------------------------------------


@dataclass
class Street:
    name: str
    numbers: list[tuple[int, str]]


def house_numbers(count: int, rng: random.Random) -> list[tuple[int, str]]:
    """`count` house numbers from 1 up, about one in twenty with an "a" (some also a "b")."""
    numbers: list[tuple[int, str]] = []
    number = 0
    while len(numbers) < count:
        number += 1
        numbers.append((number, ""))
        if rng.random() < 0.05:
            numbers.append((number, "a"))
            if rng.random() < 0.3:
                numbers.append((number, "b"))
    return numbers[:count]


def make_streets(count: int, rng: random.Random) -> list[Street]:
    """About count/40 streets, sizes skewed (many short, a few long, at most 400 numbers)."""
    names = street_names()
    total = max(1, count // PER_STREET)
    rng.shuffle(names)
    chosen = [names[i % len(names)] for i in range(total)]  # beyond 20,000 streets: repeats
    weights = [rng.lognormvariate(0, 0.9) for _ in range(total)]
    scale = count / sum(weights)
    sizes = [min(MAX_PER_STREET, max(1, round(w * scale))) for w in weights]
    while (missing := count - sum(sizes)) != 0:
        i = rng.randrange(total)
        step = 1 if missing > 0 else -1
        if 1 <= sizes[i] + step <= MAX_PER_STREET:
            sizes[i] += step
    return [
        Street(name, house_numbers(size, rng)) for name, size in zip(chosen, sizes, strict=True)
    ]


def starts(count: int) -> list[tuple[float, float]]:
    """`count` random points (lon, lat) inside the districts, drawn by PostGIS (seeded)."""
    rows = db.session.execute(
        text(
            "SELECT ST_X(p.geom), ST_Y(p.geom) FROM ST_Dump(ST_GeneratePoints("
            "(SELECT ST_Union(geom) FROM districts), :n, :seed)) AS p"
        ),
        {"n": count, "seed": SEED},
    )
    return [(x, y) for x, y in rows]


def rows_of(streets: list[Street], points: list[tuple[float, float]], rng: random.Random):
    """Rows as a reader yields them: a street runs straight from its point, odd numbers on one
    side and even on the other, 12 m apart; the normal form is computed per row like the
    readers do."""
    line = 0
    for street, (lon, lat) in zip(streets, points, strict=True):
        angle = rng.uniform(0, math.pi)
        along = (math.cos(angle), math.sin(angle))
        across = (-along[1], along[0])
        for number, suffix in street.numbers:
            metres = 12.0 * ((number - 1) // 2) + (4.0 if suffix else 0.0)
            side = 8.0 if number % 2 else -8.0
            dx = along[0] * metres + across[0] * side
            dy = along[1] * metres + across[1] * side
            line += 1
            yield Row(
                line,
                street.name,
                normalise(street.name),
                number,
                suffix,
                None,
                lon + dx / (METRES_PER_DEGREE * COS_LAT),
                lat + dy / METRES_PER_DEGREE,
            )


# --- what people type ------------------------------------------------------------------------

SPELL = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "s"})
KINDS = ("full address", "abbreviated", "typo", "prefix while typing", "street only")


def abbreviated(name: str, rng: random.Random) -> str:
    """ "Kölner Straße" -> "Koelner Str" / "Kölner Str." / "Kölnerstr."."""
    short = rng.choice(["Str", "Str.", "str."])
    name = name.replace("Straße", short).replace("straße", short.lower())
    name = name.replace(" str.", "str.")
    return name.translate(SPELL).replace("ß", "ss") if rng.random() < 0.5 else name


def typo(name: str, rng: random.Random) -> str:
    """Umlauts without their dots, ß as s ("Kolner Strase"), else one letter dropped."""
    plain = name.translate(PLAIN)
    if plain != name:
        return plain
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1 :]


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    street: str  # the street meant
    number: str | None  # "12a", or None without a number


def queries(streets: list[Street], per_kind: int, rng: random.Random) -> list[Query]:
    with_strasse = [s for s in streets if "traße" in s.name]
    found: list[Query] = []
    for kind in KINDS:
        for _ in range(per_kind):
            street = rng.choice(with_strasse if kind == "abbreviated" else streets)
            number, suffix = rng.choice(street.numbers)
            house = f"{number}{suffix}"
            if kind == "full address":
                found.append(Query(kind, f"{street.name} {house}", street.name, house))
            elif kind == "abbreviated":
                typed = f"{abbreviated(street.name, rng)} {number}"
                found.append(Query(kind, typed, street.name, str(number)))
            elif kind == "typo":
                typed = f"{typo(street.name, rng)} {number}"
                found.append(Query(kind, typed, street.name, str(number)))
            elif kind == "prefix while typing":
                typed = street.name[: rng.randint(4, 7)].rstrip(" -")
                found.append(Query(kind, typed, street.name, None))
            else:
                found.append(Query(kind, street.name, street.name, None))
    rng.shuffle(found)
    return found


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Timings:
    service: list[float]
    sql: list[float]
    http: list[float]
    first: int = 0  # the street meant is the first candidate
    listed: int = 0  # … among the candidates

    def times(self) -> str:
        return (
            f"{percentile(self.service, 50):6.1f} {percentile(self.service, 95):6.1f} "
            f"{percentile(self.service, 99):6.1f} {statistics.median(self.sql):6.1f} "
            f"{percentile(self.http, 50):6.1f} {percentile(self.http, 95):6.1f} "
            f"{percentile(self.http, 99):6.1f}"
        )

    def cells(self) -> str:
        n = len(self.service) or 1
        return f"{self.times()} {100 * self.first / n:5.0f}% {100 * self.listed / n:5.0f}%"


T = TypeVar("T")


def timed(call: Callable[[], T], sql: list[float]) -> tuple[float, T]:
    sql.append(0.0)
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def time_search(app: Flask, asked: list[Query]) -> dict[str, Timings]:
    client = app.test_client()
    by_kind = {kind: Timings([], [], []) for kind in (*KINDS, "all")}
    for query in asked[:30]:  # warm-up: caches, prepared statements
        search(query.text)
        client.get("/api/v1/adressen?" + urlencode({"q": query.text}))
    with database_time(db.engine) as sql:
        for query in asked:
            ms, found = timed(partial(search, query.text), sql)
            db.session.remove()
            streets = [c.street for c in found]
            numbers = [c.number for c in found]
            first = bool(streets) and streets[0] == query.street
            if query.number is not None:
                first = first and numbers[0] == query.number
            for kind in (query.kind, "all"):
                timings = by_kind[kind]
                timings.service.append(ms)
                timings.sql.append(sql[-1] * 1000)
                timings.first += first
                timings.listed += query.street in streets
    for query in asked:
        started = time.perf_counter()
        answer = client.get("/api/v1/adressen?" + urlencode({"q": query.text}))
        ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200, f"{query.text}: {answer.status_code}"
        by_kind[query.kind].http.append(ms)
        by_kind["all"].http.append(ms)
    return by_kind


def random_points(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """(lat, lon) in the districts: where people set a pin."""
    return [(lat, lon) for lon, lat in rng.sample(starts(count * 2), count)]


def time_places(app: Flask, points: list[tuple[float, float]]) -> Timings:
    client = app.test_client()
    timings = Timings([], [], [])
    labelled = 0
    for lat, lon in points[:20]:
        place_of(lat, lon)
    with database_time(db.engine) as sql:
        for lat, lon in points:
            ms, label = timed(partial(place_of, lat, lon), sql)
            db.session.remove()
            timings.service.append(ms)
            timings.sql.append(sql[-1] * 1000)
            labelled += bool(label) and any(c.isdigit() for c in str(label))
    for lat, lon in points:
        started = time.perf_counter()
        answer = client.get(f"/api/v1/adressen/ort?lat={lat:.6f}&lon={lon:.6f}")
        timings.http.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    timings.first = labelled  # the place is a house ("Kölner Straße 5a")
    return timings


def time_reports(app: Flask, points: list[tuple[float, float]]) -> list[float]:
    """File a report at each point (the real insert with routing and place description), all in
    one transaction that is rolled back: the bench database keeps no reports."""
    category_id = db.session.scalar(text("SELECT id FROM categories WHERE active ORDER BY id"))
    times: list[float] = []
    with app.test_request_context():
        for i, (lat, lon) in enumerate(points):
            new = NewReport(category_id, f"Benchmark-Meldung {i}", lat, lon)
            started = time.perf_counter()
            file_report(new, [])
            times.append((time.perf_counter() - started) * 1000)
        db.session.rollback()
    return times[10:]  # the first ones warm up


# --- the import ------------------------------------------------------------------------------

STEPS = {
    "DELETE": "delete",
    "CREATE TEMPORARY TABLE address_kept": "place",
    "INSERT INTO streets": "streets",
    "INSERT INTO addresses": "addresses",
    "ANALYZE": "analyze",
}


@dataclass
class Imported:
    seconds: float
    steps: dict[str, float]
    kept: int
    streets: int
    vacuum: float
    size: str


def import_addresses(rows: Iterator[Row]) -> Imported:
    steps: dict[str, float] = dict.fromkeys(STEPS.values(), 0.0)
    engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["step_t0"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        spent = time.perf_counter() - conn.info.pop("step_t0")
        for start, step in STEPS.items():
            if statement.lstrip().startswith(start):
                steps[step] += spent

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        result = store(rows, SOURCE)
        db.session.commit()
        seconds = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    # The import analyses streets only; the search and the KNN lookup want fresh statistics
    # and a visibility map for addresses too (autovacuum would get there a little later).
    db.session.remove()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        started = time.perf_counter()
        connection.execute(text("VACUUM ANALYZE addresses"))
        connection.execute(text("VACUUM ANALYZE streets"))
        vacuum = time.perf_counter() - started
        size = connection.scalar(
            text(
                "SELECT pg_size_pretty(pg_total_relation_size('addresses') "
                "+ pg_total_relation_size('streets'))"
            )
        )
    steps["copy and rows"] = seconds - sum(steps.values())
    return Imported(seconds, steps, result.kept, result.streets, vacuum, str(size))


def empty() -> None:
    db.session.execute(text("TRUNCATE addresses, streets RESTART IDENTITY"))
    db.session.commit()
    db.session.remove()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE addresses"))
        connection.execute(text("VACUUM ANALYZE streets"))


# --- one N -----------------------------------------------------------------------------------


def run(app: Flask, count: int, per_kind: int, reports: int) -> None:
    rng = random.Random(SEED + count)
    empty()
    pins = random_points(max(reports, 3 * per_kind), rng)
    without = time_reports(app, pins[:reports])

    streets = make_streets(count, rng)
    points = starts(len(streets))
    rng.shuffle(points)
    imported = import_addresses(rows_of(streets, points, rng))
    asked = queries(streets, per_kind, rng)
    by_kind = time_search(app, asked)
    places = time_places(app, pins)
    with_addresses = time_reports(app, pins[:reports])

    steps = ", ".join(f"{name} {s:.1f} s" for name, s in imported.steps.items() if s >= 0.05)
    print(f"\n=== {count:,} addresses on {len(streets):,} streets ===")
    print(
        f"import: store() {count:,} rows in {imported.seconds:.1f} s "
        f"({count / imported.seconds:,.0f} rows/s; {steps}); kept {imported.kept:,} "
        f"on {imported.streets:,} streets (per Stadtteil); VACUUM ANALYZE {imported.vacuum:.1f} s; "
        f"tables with indexes {imported.size}"
    )
    print(
        f"\n{'search, ' + str(len(asked)) + ' queries (ms)':28} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'SQL':>6} {'HTTP50':>6} {'HTTP95':>6} {'HTTP99':>6} {'first':>6} {'listed':>6}"
    )
    for kind, timings in by_kind.items():
        print(f"{kind:28} {timings.cells()}")
    examples = {q.kind: q.text for q in asked}
    print("  e.g. " + "; ".join(f"{kind}: {text!r}" for kind, text in examples.items()))
    p95 = percentile(by_kind["all"].service, 95)
    if count == GOAL_COUNT:
        verdict = "met" if p95 < GOAL_P95_MS else "MISSED"
        print(f"  goal: search p95 < {GOAL_P95_MS:.0f} ms at {GOAL_COUNT:,}: {verdict} ({p95:.1f})")
    houses = 100 * places.first / len(pins)
    print(
        f"\n{'place_of, ' + str(len(pins)) + ' pins (ms)':28} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'SQL':>6} {'HTTP50':>6} {'HTTP95':>6} {'HTTP99':>6}  a house within 50 m"
    )
    print(f"{'place of a pin':28} {places.times()}  {houses:.0f}%")
    print(f"\n{'file a report, ' + str(len(without)) + ' (ms)':28} {'p50':>6} {'p95':>6}")
    for name, times in (("without addresses", without), ("with addresses", with_addresses)):
        print(f"{name:28} {percentile(times, 50):6.1f} {percentile(times, 95):6.1f}")
    extra = percentile(with_addresses, 50) - percentile(without, 50)
    print(f"  the place description adds {extra:.1f} ms (p50) to filing a report")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=300, help="search queries per N")
    parser.add_argument("--reports", type=int, default=200, help="reports filed per N and case")
    args = parser.parse_args()
    config = bench_config("maengelmelder_bench_addresses", "BENCH_ADDRESSES_DATABASE_URL")
    app = create_app(config)
    with app.app_context():
        upgrade()
        demo.load_city()
        db.session.commit()
        print(f"goal: search p95 < {GOAL_P95_MS:.0f} ms at {GOAL_COUNT:,} addresses; times in ms")
        for count in args.count:
            run(app, count, max(1, args.queries // len(KINDS)), args.reports)


if __name__ == "__main__":
    main()
