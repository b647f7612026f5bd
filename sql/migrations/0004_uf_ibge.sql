-- The states by IBGE code (cfg.uf_ibge, from sql/reference/uf_ibge.csv): the Comex Stat
-- API's state filter names a state by it (`{"filter": "state", "values": [35]}` is SP).
-- IBGE codes the 27 states (11-53); the pseudo-states of the files (EX, CB, ND, MN, RE,
-- ED, ZN) have none, and keep their Comex Stat codes (93-99), which no state uses.
CREATE TABLE cfg.uf_ibge (
    sg_uf character varying(2) PRIMARY KEY,
    co_ibge character varying(2) NOT NULL UNIQUE,
    CONSTRAINT uf_ibge_co_ibge_check CHECK (((co_ibge)::text ~ '^[0-9]{2}$'::text))
);

CREATE VIEW rpt.uf_codigos AS
SELECT sg_uf AS uf, co_ibge FROM cfg.uf_ibge;

GRANT SELECT ON TABLE rpt.uf_codigos TO bgc_api_reader;
