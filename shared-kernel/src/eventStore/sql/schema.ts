/**
 * The SQL event store's schema: run by both the PostgreSQL and the embedded (PGlite) adapter.
 *
 * Global order is (transaction_id, global_position). A sequence does not follow commit order, so
 * readers only read events whose transaction id is below the xmin of the current snapshot: every
 * transaction with a lower id has finished, so nothing can later appear before what was read.
 */

/** A schema name we can splice into SQL: lower-case identifier characters only. */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(schema)) {
    throw new Error(`The event store schema name must be a lower-case SQL identifier (a-z, 0-9, _), got '${schema}'.`);
  }
}

/** The channel on which writers announce commits (outside their transactions). */
export function notifyChannel(schema: string): string {
  return `${schema}_appended`;
}

/** A NOTIFY on a channel ($1) with a payload ($2), in a little transaction that needs no WAL flush: a wake-up needs no durability. */
export const NOTIFY_WITHOUT_FLUSH = `select set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`;

/** SQLSTATEs raised by `append_events` and friends, read by the adapter. */
export const SQLSTATE = {
  wrongExpectedVersion: 'ES001',
  streamDeleted: 'ES002',
  duplicateEventId: 'ES003',
  uniqueViolation: '23505',
} as const;

export const SCHEMA_VERSION = 6;

export function schemaSql(schema: string): string {
  assertSchemaName(schema);
  const s = schema;
  // A stream's advisory lock key: every writer of a stream, alone or in a batch, takes this one.
  const lockKey = (stream: string) => `hashtextextended('${s}.' || ${stream}, 0)`;
  return /* sql */ `
create schema if not exists ${s};

create table if not exists ${s}.schema_version (version int primary key, applied_at timestamptz not null default now());

-- One row a stream: its last revision, its lifecycle and its metadata.
create table if not exists ${s}.streams (
  stream_id          text primary key,
  last_revision      bigint   not null default -1,
  -- 0 live, 1 soft-deleted, 2 tombstoned
  state              smallint not null default 0,
  truncate_before    bigint,
  max_age_seconds    bigint,
  max_count          bigint,
  custom_metadata    jsonb,
  metadata_revision  bigint   not null default -1
);

-- The stores that subscribe, each renewing its row while open: a writer announces its commits
-- (NOTIFY) only while another store may listen (listenerRegistry.ts). Version 4.
create table if not exists ${s}.listeners (instance_id text primary key, seen_at timestamptz not null);

create table if not exists ${s}.events (
  transaction_id   xid8        not null default pg_current_xact_id(),
  global_position  bigint      generated always as identity,
  stream_id        text        not null,
  revision         bigint      not null,
  event_id         uuid        not null,
  type             text        not null,
  data             json        not null,
  metadata         json        not null,
  created_at       timestamptz not null default now(),
  primary key (stream_id, revision)
);
create unique index if not exists events_event_id on ${s}.events (event_id);
create unique index if not exists events_global_order on ${s}.events (transaction_id, global_position);

-- Version 2 keeps data and metadata as json, the text as written: reading it back costs nothing,
-- where jsonb is printed anew on every read. A store made by version 1 is converted once.
do $migrate$
begin
  if exists (select 1 from information_schema.columns
              where table_schema = '${s}' and table_name = 'events' and column_name = 'data' and data_type = 'jsonb') then
    alter table ${s}.events alter column data type json using data::json, alter column metadata type json using metadata::json;
  end if;
end
$migrate$;

-- Serialises the writers of a stream and returns its last revision and state; creates its row
-- when asked and missing; raises ES002 when the stream was tombstoned.
--
-- The lock is an advisory lock, not SELECT ... FOR UPDATE: locking a row assigns the transaction
-- its id *before* waiting for the lock, so a writer that waited could carry a lower transaction id
-- than the one it waited for, and the stream's revisions would not follow the global order. An
-- advisory lock takes no transaction id, so the id is assigned by the first write, after the
-- previous writer of the stream has committed. This must be the first write of its transaction.
create or replace function ${s}.lock_stream(p_stream text, p_create boolean)
returns table (last_revision bigint, state smallint)
language plpgsql as $fn$
declare
  v_rev   bigint;
  v_state smallint;
begin
  perform pg_advisory_xact_lock(${lockKey('p_stream')});
  select s.last_revision, s.state into v_rev, v_state from ${s}.streams s where s.stream_id = p_stream;
  if not found and p_create then
    insert into ${s}.streams (stream_id) values (p_stream) on conflict (stream_id) do nothing;
    select s.last_revision, s.state into v_rev, v_state from ${s}.streams s where s.stream_id = p_stream;
  end if;
  if not found then
    v_rev := -1;
    v_state := 0;
  end if;
  if v_state = 2 then
    raise exception using errcode = 'ES002', message = 'stream deleted', detail = p_stream;
  end if;
  return query select v_rev, v_state;
end
$fn$;

-- Null when the expectation holds, else the actual revision ('no_stream' when there is none).
-- A stream "has no events" when it was never written or was soft-deleted; a soft-deleted stream
-- also accepts its last revision, so that a writer can carry on where it left off. Plain SQL, so
-- that PostgreSQL inlines it into the expression that calls it.
create or replace function ${s}.unmet_expectation(p_expected text, p_rev bigint, p_state smallint)
returns text
language sql immutable as $fn$
  select case
    when p_expected = 'any' then null
    when p_expected ~ '^[0-9]+$' and p_rev >= 0 and p_expected::bigint = p_rev then null
    when p_rev < 0 or p_state = 1 then case when p_expected = 'no_stream' then null else 'no_stream' end
    when p_expected = 'stream_exists' then null
    else p_rev::text
  end
$fn$;

-- Raises ES001 (detail: the actual revision, or 'no_stream') unless the expectation holds.
create or replace function ${s}.check_expected(p_expected text, p_rev bigint, p_state smallint)
returns void
language plpgsql as $fn$
declare
  v_actual text := ${s}.unmet_expectation(p_expected, p_rev, p_state);
begin
  if v_actual is not null then
    raise exception using errcode = 'ES001', message = 'wrong expected version', detail = v_actual;
  end if;
end
$fn$;

-- One append under its stream's lock, which the caller took: checks, then writes. A refusal is an
-- answer, not an exception, so that the other appends of a batch go on: code ES001 (detail: the
-- actual revision, or 'no_stream'), ES002 (tombstoned) or ES003 (the ids are stored with other
-- content, in another stream or at other revisions), with nothing written. Otherwise code is null
-- and the row holds the stream's new last revision and the last event's position; a retry of a
-- batch already stored answers with that batch's.
--
-- With p_lock, it takes the stream's lock itself, first: an append sent alone is this one call,
-- where a second function around it cost PostgreSQL 12-18% more (pgbench, one writer: 0.141 ms
-- an append, 0.119-0.126 ms without the wrapper). Version 6 (it had no p_lock).
drop function if exists ${s}.append_locked(text, text, json);
create or replace function ${s}.append_locked(p_stream text, p_expected text, p_events json, p_lock boolean default false,
  out code text, out detail text, out next_revision bigint, out transaction_id text, out global_position bigint)
language plpgsql as $fn$
declare
  v_ids uuid[];
  v_types text[];
  v_data json[];
  v_metadata json[];
  v_count int;
  v_first_rev bigint;
  v_same boolean;
  v_rev bigint;
  v_state smallint;
begin
  if p_lock then
    -- Taken before any write: see lock_stream.
    perform pg_advisory_xact_lock(${lockKey('p_stream')});
  end if;
  -- The stream's row and whether the first event's id is stored already, in one statement: each
  -- statement of a function costs its own execution, and more after the backend slept in the
  -- previous commit's WAL flush (one writer's append is mostly such wake-ups).
  select coalesce(st.last_revision, -1), coalesce(st.state, 0),
         (select e.revision from ${s}.events e where e.event_id = (p_events -> 0 ->> 'id')::uuid)
    into v_rev, v_state, v_first_rev
    from (select) one left join ${s}.streams st on st.stream_id = p_stream;
  if v_state = 2 then
    code := 'ES002';
    detail := p_stream;
    return;
  end if;

  -- A retried append (checked under the stream's lock, so that a concurrent twin is seen): the same ids,
  -- in this stream, at consecutive revisions, with the same content.
  if v_first_rev is not null then
    -- The events in one pass over their text. Each -> on a json value parses its whole text
    -- again. A json column of json_to_recordset keeps the value's text as written, but turns a
    -- JSON null into SQL null: coalesce gives it back, as -> did (data may be null).
    select array_agg(x.id order by x.ord), array_agg(x.type order by x.ord),
           array_agg(coalesce(x.data, 'null'::json) order by x.ord), array_agg(coalesce(x.metadata, 'null'::json) order by x.ord)
      into v_ids, v_types, v_data, v_metadata
      from rows from (json_to_recordset(p_events) as (id uuid, type text, data json, metadata json)) with ordinality as x(id, type, data, metadata, ord);
    v_count := coalesce(array_length(v_ids, 1), 0);
    select count(*) = v_count and coalesce(bool_and(
             e.stream_id = p_stream and e.revision = v_first_rev + x.ord - 1 and e.type = x.type
             and e.data::jsonb = x.data::jsonb and e.metadata::jsonb = x.metadata::jsonb), false)
      into v_same
      from unnest(v_ids, v_types, v_data, v_metadata) with ordinality as x(id, type, data, metadata, ord)
      -- one key at a time (limit 1 keeps it from becoming a join): a join planned while the table
      -- was new stays a scan of every event (see append_batch)
      cross join lateral (select * from ${s}.events e where e.event_id = x.id limit 1) e;
    if not v_same then
      code := 'ES003';
      detail := v_ids[1]::text;
      return;
    end if;
    select e.revision, e.transaction_id::text, e.global_position into next_revision, transaction_id, global_position
      from ${s}.events e where e.stream_id = p_stream and e.revision = v_first_rev + v_count - 1;
    return;
  end if;

  detail := ${s}.unmet_expectation(p_expected, v_rev, v_state);
  if detail is not null then
    code := 'ES001';
    return;
  end if;

  -- The events and one write of the stream's row, new or not, in one statement (the events' text
  -- parsed once, as above). Appending to a soft-deleted stream revives it without its old events.
  with inserted as (
    insert into ${s}.events (stream_id, revision, event_id, type, data, metadata)
    select p_stream, v_rev + x.ord, x.id, x.type, coalesce(x.data, 'null'::json), coalesce(x.metadata, 'null'::json)
      from rows from (json_to_recordset(p_events) as (id uuid, type text, data json, metadata json)) with ordinality as x(id, type, data, metadata, ord)
     order by x.ord
    returning events.revision, events.global_position
  ), stream_row as (
    insert into ${s}.streams as st (stream_id, last_revision)
    select p_stream, coalesce(max(i.revision), v_rev) from inserted i
    on conflict (stream_id) do update
       set last_revision = excluded.last_revision, state = 0,
           truncate_before = case when st.state = 1 then greatest(coalesce(st.truncate_before, 0), v_rev + 1) else st.truncate_before end
  )
  select coalesce(max(i.revision), v_rev), max(i.global_position), pg_current_xact_id()::text
    into next_revision, global_position, transaction_id
    from inserted i;

  -- No NOTIFY here: NOTIFY takes a global lock at commit and would serialise every append.
  -- The adapter wakes subscribers after the commit instead (see sqlEventStore.ts).
end
$fn$;

-- Appends a batch of events to one stream atomically in one round trip. p_events is a JSON array
-- of { "id", "type", "data", "metadata" }. Raises append_locked's refusals as exceptions with
-- their codes. For SQL sessions (psql, the tests); the adapter calls append_locked with p_lock
-- and reads the refusal from its answer.
drop function if exists ${s}.append_events(text, text, jsonb);
create or replace function ${s}.append_events(p_stream text, p_expected text, p_events json)
returns table (next_revision bigint, transaction_id text, global_position bigint)
language plpgsql as $fn$
declare
  r record;
begin
  r := ${s}.append_locked(p_stream, p_expected, p_events, true);
  if r.code is not null then
    raise exception using errcode = r.code, message = 'append refused', detail = r.detail;
  end if;
  return query select r.next_revision, r.transaction_id, r.global_position;
end
$fn$;

-- Several appends, to any streams, in one transaction and one round trip: what concurrent writers
-- sent at about the same time, sharing one commit. p_appends is a JSON array of
-- { "stream", "expected", "events" }; one row per append (ord counts from 1), refusals included,
-- each refused append writing nothing and leaving the others be. The streams' locks are all taken
-- first, before any write (so the transaction id comes after every earlier writer of those
-- streams), in one order (so two batches never wait on each other in a cycle).
--
-- The appends that are the only ones of their streams in the batch and carry events (most of what
-- concurrent writers send) are checked and written set-wise: one statement reads every stream's
-- row, one writes every accepted append's events and stream row. Each statement a function runs
-- has a cost of its own, and append_locked runs three an append. Set-wise, a batch of 14
-- one-event appends costs PostgreSQL a third less (pgbench: 1.25 ms, was 1.95 ms), and
-- bench:event-store's 32 writers went from 4,800-5,800 to 8,000 appends/s on one machine. The
-- others go through append_locked, one after the other, in the order sent, after the set-wise
-- ones: two appends to one stream (the second's revisions depend on the first), an empty append,
-- a retried append (its first event's id is stored; it writes nothing). Appends to other streams
-- do not depend on each other, so that order answers as the order sent would.
create or replace function ${s}.append_batch(p_appends json)
returns table (ord bigint, code text, detail text, next_revision bigint, transaction_id text, global_position bigint)
language plpgsql as $fn$
declare
  v_streams text[];
  v_expected text[];
  v_events json[];
  v_n int;
  v_key bigint;
  i int;
  -- per append, for the set-wise path: what it found, what it is answered
  v_rev bigint[];
  v_state smallint[];
  v_setwise boolean[];
  v_code text[];
  v_detail text[];
  v_accepted int[] := '{}';
  v_last_rev bigint[];
  v_last_pos bigint[];
  v_xid text;
  v_at int;
begin
  -- the appends in one pass over their text (see append_locked)
  select array_agg(x.stream order by x.ord), array_agg(x.expected order by x.ord), array_agg(x.events order by x.ord)
    into v_streams, v_expected, v_events
    from rows from (json_to_recordset(p_appends) as (stream text, expected text, events json)) with ordinality as x(stream, expected, events, ord);
  v_n := coalesce(array_length(v_streams, 1), 0);
  for v_key in select distinct ${lockKey('x.stream')} from unnest(v_streams) as x(stream) order by 1 loop
    perform pg_advisory_xact_lock(v_key);
  end loop;

  -- Each stream's row, and whether each append goes set-wise (the only one of its stream in the
  -- batch, with events, its first event id not stored yet), in one statement (a new snapshot:
  -- after the locks, so it sees every earlier writer). Each lookup is a subquery of one key, not a join:
  -- PL/pgSQL keeps a statement's plan, and a join planned while the table was new (a hash join
  -- over a scan of every row) stays the plan when the table holds millions.
  select array_agg(coalesce(x.found[1], -1) order by x.i), array_agg(coalesce(x.found[2], 0)::smallint order by x.i),
         array_agg(x.alone and x.first_rev is null order by x.i)
    into v_rev, v_state, v_setwise
    from (select a.i, count(*) over (partition by a.stream) = 1 and json_array_length(a.events) > 0 as alone,
                 (select array[st.last_revision, st.state] from ${s}.streams st where st.stream_id = a.stream) as found,
                 (select e.revision from ${s}.events e where e.event_id = (a.events -> 0 ->> 'id')::uuid) as first_rev
            from unnest(v_streams, v_events) with ordinality as a(stream, events, i)) x;

  v_code := array_fill(null::text, array[v_n]);
  v_detail := array_fill(null::text, array[v_n]);
  for i in 1 .. v_n loop
    if not v_setwise[i] then
      continue;
    elsif v_state[i] = 2 then
      v_code[i] := 'ES002';
      v_detail[i] := v_streams[i];
    else
      v_detail[i] := ${s}.unmet_expectation(v_expected[i], v_rev[i], v_state[i]);
      if v_detail[i] is null then
        v_accepted := v_accepted || i;
      else
        v_code[i] := 'ES001';
      end if;
    end if;
  end loop;

  -- Every accepted append's events and stream row in one statement, as append_locked writes one
  -- append's (a soft-deleted stream revived without its old events: truncated before its first new
  -- revision, which is its old last revision + 1).
  if array_length(v_accepted, 1) > 0 then
    with input as (
      select a.i, v_streams[a.i] as stream, v_rev[a.i] as rev, x.id, x.type, x.data, x.metadata, x.ord
        from unnest(v_accepted) as a(i)
        cross join lateral rows from (json_to_recordset(v_events[a.i]) as (id uuid, type text, data json, metadata json)) with ordinality as x(id, type, data, metadata, ord)
    ), inserted as (
      insert into ${s}.events (stream_id, revision, event_id, type, data, metadata)
      select n.stream, n.rev + n.ord, n.id, n.type, coalesce(n.data, 'null'::json), coalesce(n.metadata, 'null'::json)
        from input n
       order by n.i, n.ord
      returning events.stream_id, events.revision, events.global_position
    ), per_stream as (
      select w.stream_id, max(w.revision) as last_revision, min(w.revision) as first_revision, max(w.global_position) as last_position
        from inserted w group by w.stream_id
    ), stream_rows as (
      insert into ${s}.streams as st (stream_id, last_revision, truncate_before)
      select p.stream_id, p.last_revision, nullif(p.first_revision, 0) from per_stream p
      on conflict (stream_id) do update
         set last_revision = excluded.last_revision, state = 0,
             truncate_before = case when st.state = 1 then greatest(coalesce(st.truncate_before, 0), excluded.truncate_before) else st.truncate_before end
    )
    select array_agg(p.last_revision order by a.i), array_agg(p.last_position order by a.i), pg_current_xact_id()::text
      into v_last_rev, v_last_pos, v_xid
      from unnest(v_accepted) as a(i) join per_stream p on p.stream_id = v_streams[a.i];
  end if;

  for i in 1 .. v_n loop
    if not v_setwise[i] then
      return query select i::bigint, r.* from ${s}.append_locked(v_streams[i], v_expected[i], v_events[i]) r;
      continue;
    end if;
    ord := i;
    code := v_code[i];
    detail := v_detail[i];
    v_at := array_position(v_accepted, i);
    next_revision := v_last_rev[v_at];
    global_position := v_last_pos[v_at];
    transaction_id := case when v_at is not null then v_xid end;
    return next;
  end loop;
end
$fn$;

-- Soft delete (the stream reads as empty; a later append carries on after its last revision) or
-- tombstone (never written again; a tombstone of a stream that never existed reserves the id).
create or replace function ${s}.delete_stream(p_stream text, p_expected text, p_hard boolean)
returns void
language plpgsql as $fn$
declare
  v_rev bigint;
  v_state smallint;
begin
  select l.last_revision, l.state into v_rev, v_state from ${s}.lock_stream(p_stream, p_hard) l;
  perform ${s}.check_expected(p_expected, v_rev, v_state);
  if p_hard then
    update ${s}.streams st set state = 2 where st.stream_id = p_stream;
  else
    update ${s}.streams st set state = 1 where st.stream_id = p_stream and v_rev >= 0;
  end if;
end
$fn$;

-- Replaces a stream's metadata, checking the metadata's own revision; returns the new one.
create or replace function ${s}.set_stream_metadata(
  p_stream text, p_expected text, p_max_age bigint, p_max_count bigint, p_truncate_before bigint, p_custom jsonb)
returns bigint
language plpgsql as $fn$
declare
  v_meta_rev bigint;
begin
  perform ${s}.lock_stream(p_stream, true);
  select st.metadata_revision into v_meta_rev from ${s}.streams st where st.stream_id = p_stream;
  perform ${s}.check_expected(p_expected, v_meta_rev, 0::smallint);
  update ${s}.streams st
     set max_age_seconds = p_max_age, max_count = p_max_count, truncate_before = p_truncate_before,
         custom_metadata = p_custom, metadata_revision = v_meta_rev + 1
   where st.stream_id = p_stream;
  return v_meta_rev + 1;
end
$fn$;

insert into ${s}.schema_version (version) values (${SCHEMA_VERSION}) on conflict do nothing;
`;
}
