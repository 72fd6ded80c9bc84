"""Staffing planner: hourly staff requirements and the cheapest rosters that meet them."""
