"""Routing in SQL: the district covering a point, the department responsible there, and the
other body (see app.exchange) that takes the report instead.

The district lateral serves the web form, the API and the demo generator, so synthetic reports
are routed exactly as real ones. On a shared border ST_Covers is true for both districts;
ordering by code makes the choice deterministic.

Other bodies extend the routing, never replace it:
- inside the city, a body takes a report when it lists the report's category and its area (if
  it has one) covers the point: a category rule that names a body instead of a department;
- outside the city, a body takes a report when its area covers the point and it lists the
  category or lists none. The report is then filed under the nearest district (for the map and
  the statistics) and forwarded. No district and no body: no row, the door's refusal.
"""

# Needs :point (a geometry expression or column) and a category id column/parameter.
ROUTE_LATERAL = """
LATERAL (
    SELECT d.id AS district_id,
           COALESCE(rr.department_id, c.default_department_id) AS department_id
    FROM districts AS d
    JOIN categories AS c ON c.id = {category}
    LEFT JOIN routing_rules AS rr ON rr.category_id = c.id AND rr.district_id = d.id
    WHERE ST_Covers(d.geom, {point})
    ORDER BY d.code, d.id
    LIMIT 1
) AS {alias}
"""

EXCHANGE_LATERAL = """
LATERAL (
    SELECT inside.district_id AS inside_id, body.id AS body_id,
           COALESCE(inside.district_id, nearest.id) AS district_id,
           COALESCE(inside.department_id, rr.department_id, c.default_department_id)
               AS department_id
    FROM categories AS c
    LEFT JOIN {inside} ON true
    LEFT JOIN LATERAL (
        SELECT b.id FROM bodies AS b
        CROSS JOIN LATERAL (
            SELECT EXISTS (SELECT FROM body_categories AS bc
                           WHERE bc.body_id = b.id AND bc.category_id = c.id) AS listed,
                   EXISTS (SELECT FROM body_categories AS bc WHERE bc.body_id = b.id) AS lists
        ) AS its
        WHERE CASE WHEN inside.district_id IS NOT NULL
                   THEN its.listed AND (b.area IS NULL OR ST_Covers(b.area, {point}))
                   ELSE ST_Covers(b.area, {point}) AND (its.listed OR NOT its.lists) END
        ORDER BY its.listed DESC, b.name
        LIMIT 1
    ) AS body ON true
    LEFT JOIN LATERAL (
        SELECT d.id FROM districts AS d
        WHERE inside.district_id IS NULL AND body.id IS NOT NULL
        ORDER BY ST_Distance(d.geom, {point}), d.code
        LIMIT 1
    ) AS nearest ON true
    LEFT JOIN routing_rules AS rr ON rr.category_id = c.id AND rr.district_id = nearest.id
    WHERE c.id = {category} AND (inside.district_id IS NOT NULL OR body.id IS NOT NULL)
) AS route
"""

# The public case number: year and a zero-padded id that grows past six digits when needed.
CASE_NUMBER_SQL = (
    "to_char({created} AT TIME ZONE 'Europe/Berlin', 'YYYY') || '-' || "
    "lpad({id}::text, greatest(6, length({id}::text)), '0')"
)


def route_lateral(point: str, category: str, alias: str = "route") -> str:
    """District and department of a point in the city (no row outside it)."""
    return ROUTE_LATERAL.format(point=point, category=category, alias=alias)


def exchange_lateral(point: str, category: str) -> str:
    """District, department and the body that takes the report, if any (no row when neither
    the city nor a body covers the point)."""
    inside = route_lateral(point, category, alias="inside")
    return EXCHANGE_LATERAL.format(point=point, category=category, inside=inside)


def case_number_sql(id_expr: str, created_expr: str) -> str:
    return CASE_NUMBER_SQL.format(id=id_expr, created=created_expr)
