"""Demo city set-up and synthetic reports for trying things out and for benchmarks."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import func, select, text

from app.auth.service import create_user, find_by_email
from app.demo import bulk, data
from app.districts.service import import_districts, parse_geojson
from app.extensions import db
from app.map import cells as map_cells
from app.models import Category, CategoryQuestion, Department, District, RoutingRule
from app.models.status import CLOSED_STATUSES, sql_in
from app.reports import case_numbers
from app.reports.routing import case_number_sql, route_lateral


def city_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(District)) == 0


def load_city() -> None:
    """Districts, departments, categories and routing rules of the demo city (idempotent)."""
    districts, _ = parse_geojson(data.DISTRICTS_FILE.read_bytes(), "name", "code")
    import_districts(districts)
    departments = _upsert_departments()
    categories = _upsert_categories(departments)
    _upsert_rules(categories, departments)
    db.session.flush()


def _upsert_departments() -> dict[str, Department]:
    existing = {d.code: d for d in db.session.scalars(select(Department))}
    for code, name, email in data.DEPARTMENTS:
        department = existing.get(code) or Department(code=code)
        department.name, department.email = name, email
        db.session.add(department)
        existing[code] = department
    return existing


def _upsert_categories(departments: dict[str, Department]) -> dict[str, Category]:
    existing = {c.code: c for c in db.session.scalars(select(Category))}
    for code, name_de, name_en, icon, department in data.CATEGORIES:
        category = existing.get(code) or Category(code=code, active=True)
        category.name_de, category.name_en, category.icon = name_de, name_en, icon
        category.default_department = departments[department]
        category.group_name, category.help_text = data.GROUPS.get(code), data.HELP.get(code)
        kind, notice, url = data.NOTICES.get(code, (None, None, None))
        category.notice_kind, category.notice, category.notice_url = kind, notice, url
        _upsert_questions(category, data.QUESTIONS.get(code, []))
        db.session.add(category)
        existing[code] = category
    return existing


def _upsert_questions(category: Category, questions: list[tuple]) -> None:
    """The demo's questions, in order; an admin's own questions stay."""
    asked = {q.code: q for q in category.questions}
    for position, (code, label, kind, required, choices, hint) in enumerate(questions, start=1):
        question = asked.get(code) or CategoryQuestion(code=code)
        question.label, question.kind, question.required = label, kind, required
        question.choices, question.hint, question.position = choices, hint, position
        if code not in asked:
            category.questions.append(question)


def _upsert_rules(categories: dict[str, Category], departments: dict[str, Department]) -> None:
    db.session.flush()
    districts = {d.code: d for d in db.session.scalars(select(District))}
    for category, district, department in data.ROUTING_RULES:
        if district not in districts:
            continue
        rule = db.session.scalar(
            select(RoutingRule).filter_by(
                category_id=categories[category].id, district_id=districts[district].id
            )
        ) or RoutingRule(category_id=categories[category].id, district_id=districts[district].id)
        rule.department_id = departments[department].id
        db.session.add(rule)


# Set-based: ST_GeneratePoints scatters points inside each district in proportion to its area.
# The rows go to a temporary (unlogged) staging table, sorted by their time of creation, so that
# ids, case numbers and created_at grow together as with real reports; most of reports' indexes
# then grow at their right end instead of being written all over, which keeps a large load linear.
STAGE_REPORTS = """
CREATE TEMP TABLE bulk_stage ON COMMIT DROP AS
WITH spec AS (
    SELECT d.id, d.geom, ceil(:count * ST_Area(d.geom) / sum(ST_Area(d.geom)) OVER ())::int AS n
    FROM districts AS d
), points AS (
    SELECT (ST_Dump(ST_GeneratePoints(spec.geom, spec.n))).geom AS point FROM spec
), raw AS (
    SELECT point,
           (SELECT array_agg(id) FROM categories WHERE active) AS cats,
           now() - (random() ^ 1.5) * interval '5 years' AS at,
           random() AS r, random() AS r2
    FROM points
    LIMIT :count
), picked AS (
    SELECT point, at, r, r2, cats[1 + floor(random() * array_length(cats, 1))::int] AS category_id
    FROM raw
), described AS (
    SELECT picked.*, COALESCE(t.text, 'Mangel gemeldet.') AS description
    FROM picked
    JOIN categories AS c ON c.id = picked.category_id
    LEFT JOIN unnest(CAST(:codes AS text[]), CAST(:texts AS text[])) AS t(code, text)
           ON t.code = c.code
), aged AS (
    -- Like a real city: most recent reports are still open, old ones are almost all closed.
    SELECT described.*, CASE WHEN at > now() - interval '30 days' THEN 0.5
                             WHEN at > now() - interval '365 days' THEN 0.08
                             ELSE 0.015 END AS open_share
    FROM described
), timed AS (
    SELECT aged.*, status,
           LEAST(now(), at + r * interval '30 days') AS closed_or_updated
    FROM aged, LATERAL (SELECT CASE
           WHEN at > now() - interval '3 days' THEN 'received'
           WHEN r < open_share * 0.4 THEN 'accepted'
           WHEN r < open_share THEN 'in_progress'
           WHEN (r - open_share) / (1 - open_share) < 0.80 THEN 'resolved'
           WHEN (r - open_share) / (1 - open_share) < 0.88 THEN 'not_responsible'
           WHEN (r - open_share) / (1 - open_share) < 0.95 THEN 'duplicate'
           ELSE 'wont_fix' END AS status) AS s
)
SELECT point, category_id, description, status, at, r2, closed_or_updated,
       CASE WHEN status = 'accepted' THEN closed_or_updated
            WHEN status <> 'received' THEN at + (closed_or_updated - at) * r2 * 0.3
       END AS reacted
FROM timed
ORDER BY at
"""

# One set-based insert from the staging table, every point routed with the same lateral
# sub-select as a real report. nextval is evaluated after the sort (PostgreSQL postpones volatile
# output expressions past ORDER BY), so ids follow created_at. What later steps need of the new
# rows comes back through RETURNING, so they never read the (possibly large) reports table.
INSERT_REPORTS = """
CREATE TEMP TABLE bulk_reports ON COMMIT DROP AS
WITH added AS (
    INSERT INTO reports (id, case_number, location, category_id, district_id, department_id,
                         description, status, channel, published_at, created_at, updated_at,
                         first_reaction_at, closed_at, tracking_token_hash)
    SELECT n.id, {case_number}, n.point, n.category_id, route.district_id, route.department_id,
           n.description, n.status,
           CASE WHEN n.r2 < 0.8 THEN 'web' WHEN n.r2 < 0.9 THEN 'api' ELSE 'phone' END,
           CASE WHEN n.at < now() - interval '1 day' THEN n.at + interval '4 hours' END,
           n.at, CASE WHEN n.status = 'received' THEN n.at ELSE n.closed_or_updated END,
           n.reacted,
           CASE WHEN n.status IN ({closed}) THEN n.closed_or_updated END,
           encode(sha256(convert_to(n.id::text || random()::text, 'UTF8')), 'hex')
    FROM (SELECT nextval(pg_get_serial_sequence('reports', 'id')) AS id, s.*
          FROM bulk_stage AS s ORDER BY s.at) AS n,
         {route}
    RETURNING id, status, created_at, updated_at, first_reaction_at,
              location, px, py, category_id, district_id
)
SELECT * FROM added
"""

# Each report's timeline: received; "In Prüfung" at the first reaction when the report moved on
# past it; its current status when it was last changed. In id order, as a real timeline grows.
GENERATE_EVENTS = """
INSERT INTO timeline_events (report_id, kind, status, note, public, author, created_at)
SELECT b.id, 'status_change', e.status, NULL, true, 'Demo', e.at
FROM bulk_reports AS b,
     LATERAL (VALUES (1, 'received', b.created_at),
                     (2, CASE WHEN b.status NOT IN ('received', 'accepted') THEN 'accepted' END,
                      b.first_reaction_at),
                     (3, CASE WHEN b.status <> 'received' THEN b.status END, b.updated_at)
     ) AS e(step, status, at)
WHERE e.status IS NOT NULL
ORDER BY b.id, e.step
"""


def generate_reports(count: int) -> int:
    """Add `count` synthetic reports with timelines; returns how many were added."""
    if count <= 0:
        return 0
    insert = INSERT_REPORTS.format(
        case_number=case_number_sql("n.id", "n.at"),
        closed=sql_in(CLOSED_STATUSES),
        route=route_lateral("n.point", "n.category_id"),
    )
    # Timelines and map counts are added for exactly the new reports (bulk_reports), while real
    # ones may be filed at the same time (no table lock is taken unless the tables are empty).
    db.session.execute(text("DROP TABLE IF EXISTS bulk_stage, bulk_reports"))
    db.session.execute(
        text(STAGE_REPORTS),
        {
            "count": count,
            "codes": list(data.SAMPLE_TEXTS),
            "texts": list(data.SAMPLE_TEXTS.values()),
        },
    )
    # A fresh database (the demo, the benchmark) builds reports' indexes once after the load.
    with bulk.into_empty("reports", "timeline_events") as locked:
        db.session.execute(text("SET LOCAL maengelmelder.bulk_load = 'on'"))
        db.session.execute(text(insert))
        db.session.execute(text("SET LOCAL maengelmelder.bulk_load = 'off'"))
        added = db.session.scalar(text("SELECT count(*) FROM bulk_reports"))
        if added:
            db.session.execute(text(GENERATE_EVENTS))
    if added:
        map_cells.add_reports(locked)
        db.session.execute(text("ANALYZE reports; ANALYZE timeline_events"))
    db.session.execute(text("DROP TABLE bulk_stage, bulk_reports"))
    # Synthetic numbers follow the ids (each above every number given so far); real reports
    # filed afterwards continue above them.
    case_numbers.catch_up()
    return int(added)


# Demo staff accounts. Their passwords derive from SECRET_KEY: stable for one installation,
# unknown to anyone who cannot read its secret, and never stored in clear.
# One crew per department, so that every demo report can be worked on ("report a pothole,
# then fix it as the crew" works for every category).
DEMO_USERS = [
    ("poststelle@demo.example.org", "dispatcher", [], "Poststelle (Demo)"),
    ("admin@demo.example.org", "admin", [], "Verwaltung (Demo)"),
    *(
        (f"{code}@demo.example.org", "crew", [code], f"Trupp {name} (Demo)")
        for code, name, _email in data.DEPARTMENTS
    ),
]


def demo_password(email: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), b"demo-account:" + email.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode()[:16]


def ensure_demo_users(secret: str) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; (email, role, password) of all of them."""
    accounts = []
    for email, role, departments, name in DEMO_USERS:
        password = demo_password(email, secret)
        if find_by_email(email) is None:
            create_user(email, password, role, departments, name)
        accounts.append((email, role, password))
    return accounts
