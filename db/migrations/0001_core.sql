-- The core of Switchboard: tenants, their people, channels, conversations and
-- the work queue. Every row carries portal_id (Citus-ready); the provider
-- message id is unique per channel so a retried webhook is a no-op.

CREATE TABLE portals (
    id                bigserial PRIMARY KEY,
    domain            text        NOT NULL,
    member_id         text        NOT NULL UNIQUE,
    base_url          text        NOT NULL DEFAULT '',
    access_token      text        NOT NULL DEFAULT '',
    refresh_token     text        NOT NULL DEFAULT '',
    token_expires_at  timestamptz,
    application_token text        NOT NULL DEFAULT '',
    settings          jsonb       NOT NULL DEFAULT '{}',
    enabled           boolean     NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    portal_id      bigint      NOT NULL REFERENCES portals (id),
    id             bigserial   PRIMARY KEY,
    bitrix_user_id bigint      NOT NULL,
    name           text        NOT NULL DEFAULT '',
    photo_url      text        NOT NULL DEFAULT '',
    is_admin       boolean     NOT NULL DEFAULT false,
    can_use_app    boolean     NOT NULL DEFAULT true,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (portal_id, bitrix_user_id)
);

CREATE TABLE channels (
    portal_id    bigint      NOT NULL REFERENCES portals (id),
    id           bigserial   PRIMARY KEY,
    transport    text        NOT NULL CHECK (transport IN ('whatsapp', 'instagram')),
    external_id  text        NOT NULL,
    name         text        NOT NULL,
    mode         text        NOT NULL DEFAULT 'wz' CHECK (mode IN ('wz', 'ol')),
    open_line_id bigint,
    hourly_limit integer     NOT NULL DEFAULT 0,
    access_token text        NOT NULL DEFAULT '',
    app_secret   text        NOT NULL DEFAULT '',
    verify_token text        NOT NULL DEFAULT '',
    api_base     text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (transport, external_id)
);
CREATE INDEX channels_portal ON channels (portal_id);

CREATE TABLE clients (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    id          bigserial   PRIMARY KEY,
    transport   text        NOT NULL,
    external_id text        NOT NULL,
    phone       text        NOT NULL DEFAULT '',
    name        text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (portal_id, transport, external_id)
);

CREATE TABLE crm_links (
    portal_id   bigint  NOT NULL REFERENCES portals (id),
    client_id   bigint  NOT NULL REFERENCES clients (id),
    entity_type text    NOT NULL CHECK (entity_type IN ('lead', 'contact', 'deal')),
    entity_id   bigint  NOT NULL,
    title       text    NOT NULL DEFAULT '',
    closed      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (portal_id, client_id, entity_type, entity_id)
);

CREATE TABLE dialogs (
    portal_id           bigint      NOT NULL REFERENCES portals (id),
    id                  bigserial   PRIMARY KEY,
    channel_id          bigint      NOT NULL REFERENCES channels (id),
    client_id           bigint      NOT NULL REFERENCES clients (id),
    responsible_user_id bigint      REFERENCES users (id),
    unread_count        integer     NOT NULL DEFAULT 0,
    last_message_at     timestamptz NOT NULL DEFAULT now(),
    last_preview        text        NOT NULL DEFAULT '',
    last_direction      text        NOT NULL DEFAULT 'in',
    last_inbound_at     timestamptz,
    unanswered_since    timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (channel_id, client_id)
);
-- The inbox list: a portal's dialogs by last activity.
CREATE INDEX dialogs_portal_activity ON dialogs (portal_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    portal_id      bigint      NOT NULL REFERENCES portals (id),
    id             bigserial   PRIMARY KEY,
    dialog_id      bigint      NOT NULL REFERENCES dialogs (id),
    channel_id     bigint      NOT NULL REFERENCES channels (id),
    direction      text        NOT NULL CHECK (direction IN ('in', 'out')),
    author_user_id bigint      REFERENCES users (id),
    from_phone     boolean     NOT NULL DEFAULT false,
    kind           text        NOT NULL,
    body           text        NOT NULL DEFAULT '',
    provider_id    text,
    status         text        NOT NULL DEFAULT 'received'
                   CHECK (status IN ('received', 'queued', 'paused', 'sent', 'delivered', 'read', 'played', 'failed')),
    error_code     integer     NOT NULL DEFAULT 0,
    error_text     text        NOT NULL DEFAULT '',
    reply_to       text        NOT NULL DEFAULT '',
    forwarded      boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX messages_provider_id ON messages (channel_id, provider_id) WHERE provider_id IS NOT NULL;
-- A dialog's messages in time order.
CREATE INDEX messages_dialog_created ON messages (dialog_id, created_at, id);

CREATE TABLE templates (
    portal_id     bigint      NOT NULL REFERENCES portals (id),
    id            bigserial   PRIMARY KEY,
    owner_user_id bigint      NOT NULL REFERENCES users (id),
    name          text        NOT NULL,
    body          text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE attachments (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    id          bigserial   PRIMARY KEY,
    message_id  bigint      REFERENCES messages (id),
    template_id bigint      REFERENCES templates (id),
    file_name   text        NOT NULL DEFAULT '',
    mime        text        NOT NULL DEFAULT '',
    size        bigint      NOT NULL DEFAULT 0,
    sha256      text        NOT NULL DEFAULT '',
    storage_key text        NOT NULL DEFAULT '',
    position    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((message_id IS NULL) <> (template_id IS NULL))
);
CREATE INDEX attachments_message ON attachments (message_id, position) WHERE message_id IS NOT NULL;

CREATE TABLE outbox (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    id         bigserial   PRIMARY KEY,
    kind       text        NOT NULL,
    payload    jsonb       NOT NULL DEFAULT '{}',
    run_at     timestamptz NOT NULL DEFAULT now(),
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text        NOT NULL DEFAULT '',
    done_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Due jobs, oldest first.
CREATE INDEX outbox_due ON outbox (run_at, id) WHERE done_at IS NULL;

-- scs/postgresstore's table. Session data holds the portal id.
CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Statuses that arrived before the send recorded its provider id (the
-- provider may call back before its own HTTP answer reaches us); applied
-- when the id is recorded.
CREATE TABLE early_statuses (
    portal_id   bigint      NOT NULL REFERENCES portals (id),
    channel_id  bigint      NOT NULL REFERENCES channels (id),
    provider_id text        NOT NULL,
    status      text        NOT NULL,
    error_code  integer     NOT NULL DEFAULT 0,
    error_text  text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel_id, provider_id, status)
);
