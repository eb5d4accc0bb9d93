"""Open311 GeoReport v2: other systems read and file reports through the open standard."""
