"""Routing in SQL: the district covering a point, and the department responsible there.

The same lateral sub-select serves the web form, the API and the demo generator, so synthetic
reports are routed exactly as real ones. On a shared border ST_Covers is true for both districts;
ordering by code makes the choice deterministic.
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
) AS route
"""

# The public case number: year and a zero-padded id that grows past six digits when needed.
CASE_NUMBER_SQL = (
    "to_char({created} AT TIME ZONE 'Europe/Berlin', 'YYYY') || '-' || "
    "lpad({id}::text, greatest(6, length({id}::text)), '0')"
)


def route_lateral(point: str, category: str) -> str:
    return ROUTE_LATERAL.format(point=point, category=category)


def case_number_sql(id_expr: str, created_expr: str) -> str:
    return CASE_NUMBER_SQL.format(id=id_expr, created=created_expr)
