-- Read-only role for the API: SELECT on the report views, nothing else.
-- NOLOGIN: grant it to the API's login user (see docs/operations.md), e.g.
--   CREATE ROLE bgc_api LOGIN PASSWORD '...' IN ROLE bgc_api_reader;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bgc_api_reader') THEN
        CREATE ROLE bgc_api_reader NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA rpt TO bgc_api_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA rpt TO bgc_api_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA rpt GRANT SELECT ON TABLES TO bgc_api_reader;
