"""Addresses: import (gebref, osm, csv), search, and the place description of a report."""
