-- One database per bdbazar service: each command service, the projector workers and the query
-- API own theirs (ARCHITECTURE.md: "one database (or schema) per service").
-- Run by the postgres image from /docker-entrypoint-initdb.d, once, when the data volume is
-- empty; after a change, recreate the volume (docker compose down -v) or create the new
-- database by hand. Names are quoted because ORDER is an SQL keyword.
CREATE DATABASE "events";
CREATE DATABASE "account";
CREATE DATABASE "shop";
CREATE DATABASE "product";
CREATE DATABASE "order";
CREATE DATABASE "payment";
CREATE DATABASE "shipment";
CREATE DATABASE "payout";
CREATE DATABASE "return";
CREATE DATABASE "projections";
CREATE DATABASE "query";
