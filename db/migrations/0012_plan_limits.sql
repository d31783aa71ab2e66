-- The dialog counter and plan limits.
--
-- A channel counts the unique dialogs it answered (at least one outgoing
-- message: sent from the app, or typed on the phone and mirrored in) per
-- clock hour and per calendar month, in the portal's time zone. A plan
-- limit caps one of them: hourly_limit or monthly_limit, 0 is none.
ALTER TABLE channels
    ADD COLUMN monthly_limit integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT channels_limits CHECK (hourly_limit >= 0 AND monthly_limit >= 0
        AND (hourly_limit = 0 OR monthly_limit = 0));

-- The portal's time zone (an IANA name; '' is UTC): where its hours and
-- months begin. Bitrix24 gives it as an administrator's profile TIME_ZONE.
ALTER TABLE portals ADD COLUMN time_zone text NOT NULL DEFAULT '';

-- One row per channel and window (an hour or a month, by its start): how
-- many dialogs it counted. The row is also the lock that admits a dialog
-- into a limited window, so two instances never both take the last slot.
CREATE TABLE dialog_windows (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    channel_id bigint      NOT NULL REFERENCES channels (id),
    period     text        NOT NULL CHECK (period IN ('hour', 'month')),
    starts_at  timestamptz NOT NULL,
    dialogs    integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (channel_id, period, starts_at)
);

-- The dialogs each window counted, once each.
CREATE TABLE counted_dialogs (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    channel_id bigint      NOT NULL REFERENCES channels (id),
    period     text        NOT NULL CHECK (period IN ('hour', 'month')),
    starts_at  timestamptz NOT NULL,
    dialog_id  bigint      NOT NULL REFERENCES dialogs (id),
    counted_at timestamptz NOT NULL,
    PRIMARY KEY (channel_id, period, starts_at, dialog_id)
);

-- Outgoing messages of a dialog past the limit: stored 'paused' and kept
-- here until the window that admits their dialog, with what the pause
-- says (until when, which limit) as it was decided.
CREATE TABLE paused_messages (
    portal_id  bigint      NOT NULL REFERENCES portals (id),
    message_id bigint      PRIMARY KEY REFERENCES messages (id),
    channel_id bigint      NOT NULL REFERENCES channels (id),
    dialog_id  bigint      NOT NULL REFERENCES dialogs (id),
    until      timestamptz NOT NULL,
    plan_limit integer     NOT NULL,
    period     text        NOT NULL CHECK (period IN ('hour', 'month')),
    time_zone  text        NOT NULL DEFAULT '',
    paused_at  timestamptz NOT NULL
);
CREATE INDEX paused_messages_channel ON paused_messages (channel_id, message_id);
CREATE INDEX paused_messages_dialog ON paused_messages (dialog_id, message_id);
