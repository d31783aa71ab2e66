package bitrix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// Status is one item of a CRM directory as crm.status.list returns it: a source
// (ENTITY_ID "SOURCE"), a lead status ("STATUS") or a deal stage ("DEAL_STAGE" for the
// default pipeline, "DEAL_STAGE_<categoryId>" for the others).
type Status struct {
	ID         FlexInt    `json:"ID"`
	EntityID   string     `json:"ENTITY_ID"`
	StatusID   string     `json:"STATUS_ID"` // the value SOURCE_ID/STATUS_ID/STAGE_ID take: "WEB", "C1:NEW"
	Name       string     `json:"NAME"`
	NameInit   FlexString `json:"NAME_INIT"` // the default name of system items, "" otherwise
	Sort       FlexInt    `json:"SORT"`
	System     FlexBool   `json:"SYSTEM"`
	CategoryID FlexInt    `json:"CATEGORY_ID"` // the pipeline of a stage (null for the default one)
	Color      FlexString `json:"COLOR"`
	Semantics  FlexString `json:"SEMANTICS"` // "S" success, "F" failure, "" in progress
}

// Final reports whether an item closes its lead or deal (won or lost).
func (s Status) Final() bool { return s.Semantics == "S" || s.Semantics == "F" }

// Directory ids for Statuses.
const (
	DirectorySource    = "SOURCE"
	DirectoryLeadState = "STATUS"
)

// DealStages is the directory of a deal pipeline's stages: "DEAL_STAGE" for 0, else "DEAL_STAGE_<id>".
func DealStages(categoryID int) string {
	if categoryID == 0 {
		return "DEAL_STAGE"
	}
	return fmt.Sprintf("DEAL_STAGE_%d", categoryID)
}

// Statuses lists one directory's items by SORT (crm.status.list with filter ENTITY_ID).
func (p *PortalClient) Statuses(ctx context.Context, entityID string) ([]Status, error) {
	return All[Status](ctx, p, "crm.status.list", Params{
		"filter": Params{"ENTITY_ID": entityID},
		"order":  Params{"SORT": "ASC"},
	})
}

// NewStatus is a directory item to add; a stage of pipeline n gets the "C<n>:" prefix.
type NewStatus struct {
	EntityID  string `json:"ENTITY_ID"`
	StatusID  string `json:"STATUS_ID"` // unique in the directory; stages: latin letters, digits, - and _
	Name      string `json:"NAME"`
	Sort      int    `json:"SORT,omitempty"`      // default 10; stages must sort before the success stage
	Color     string `json:"COLOR,omitempty"`     // "#39A8EF"
	Semantics string `json:"SEMANTICS,omitempty"` // stages: "S", "F" or "" (in progress)
}

// AddStatus adds a directory item (crm.status.add; CRM administrators only), e.g. our own
// SOURCE entry, and returns its id. An existing STATUS_ID is refused with ERROR_CORE.
func (p *PortalClient) AddStatus(ctx context.Context, s NewStatus) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "crm.status.add", Params{"fields": s}, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// Category is a pipeline of a CRM type as crm.category.list returns it.
type Category struct {
	ID           FlexInt    `json:"id"`
	Name         string     `json:"name"`
	Sort         FlexInt    `json:"sort"`
	EntityTypeID FlexInt    `json:"entityTypeId"`
	IsDefault    FlexBool   `json:"isDefault"`
	OriginID     FlexString `json:"originId"`
	OriginatorID FlexString `json:"originatorId"`
}

// Categories lists the pipelines of a CRM type the caller may read (crm.category.list;
// EntityDeal for deal pipelines, the default one has id 0).
func (p *PortalClient) Categories(ctx context.Context, entityTypeID EntityTypeID) ([]Category, error) {
	return All[Category](ctx, p, "crm.category.list", Params{"entityTypeId": int(entityTypeID)})
}

// Notification is a personal notification (im.notify.personal.add) from the calling user.
type Notification struct {
	UserID     int64  `json:"USER_ID"`
	Message    string `json:"MESSAGE"`               // BB-codes: [url=https://…]open the dialog[/url]
	MessageOut string `json:"MESSAGE_OUT,omitempty"` // for e-mail and other outside channels
	Tag        string `json:"TAG,omitempty"`         // a new notification with the same tag replaces the older
	SubTag     string `json:"SUB_TAG,omitempty"`
	Attach     any    `json:"ATTACH,omitempty"`    // ≤ 60,000 characters
	ClientID   string `json:"CLIENT_ID,omitempty"` // webhooks only, with TAG/SUB_TAG
}

// ErrNotNotified is returned when the portal answered false: no notification was created
// (for instance the recipient cannot receive one).
var ErrNotNotified = errors.New("bitrix: notification not created")

// NotifyUser sends a personal notification (im.notify.personal.add) and returns its id;
// ErrNotNotified when the portal answered false.
func (p *PortalClient) NotifyUser(ctx context.Context, n Notification) (int64, error) {
	resp, err := p.Do(ctx, "im.notify.personal.add", n)
	if err != nil {
		return 0, err
	}
	if string(bytes.TrimSpace(resp.Result)) == "false" {
		return 0, ErrNotNotified
	}
	var id FlexInt
	if err := decodeResult(resp.Result, &id); err != nil {
		return 0, fmt.Errorf("bitrix: im.notify.personal.add: %w", err)
	}
	return int64(id), nil
}
