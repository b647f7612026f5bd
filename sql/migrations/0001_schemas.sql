-- Schemas of the seed's naming standard: staging, reports, configuration/control.
CREATE SCHEMA IF NOT EXISTS stg;
CREATE SCHEMA IF NOT EXISTS rpt;
CREATE SCHEMA IF NOT EXISTS cfg;
