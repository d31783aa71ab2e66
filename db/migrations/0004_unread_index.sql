-- The unread counter reads only dialogs with unread messages.
CREATE INDEX dialogs_portal_unread ON dialogs (portal_id) INCLUDE (unread_count, responsible_user_id)
    WHERE unread_count > 0;
