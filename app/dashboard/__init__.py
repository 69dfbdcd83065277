"""Dashboard KPI cards (工作台指标, GOV-01-01 / OPS-01-01): a registry domains add to with `@kpi`."""
