-- The warehouse a Dagster instance serves (bgc_core/warehouse.py). These run in the
-- Dagster instance's database, in a table of their own next to Dagster's.

-- name: warehouse_identity
SELECT warehouse::TEXT FROM cfg.warehouse;

-- name: create_claim
CREATE TABLE IF NOT EXISTS public.bgc_instance_warehouse (
    id         BOOLEAN     PRIMARY KEY DEFAULT true CHECK (id),
    warehouse  UUID        NOT NULL,
    target     TEXT        NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- name: previous_claim
SELECT warehouse::TEXT, target FROM public.bgc_instance_warehouse FOR UPDATE;

-- name: claim
INSERT INTO public.bgc_instance_warehouse (warehouse, target)
VALUES (%(warehouse)s, %(target)s)
ON CONFLICT (id) DO UPDATE
SET warehouse = EXCLUDED.warehouse, target = EXCLUDED.target, claimed_at = now();
