package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// EntityTypeID is a CRM object type id (ownerTypeId / ENTITY_TYPE_ID).
type EntityTypeID int

// CRM object types; smart processes use their own ids (≥ 128).
const (
	EntityLead    EntityTypeID = 1
	EntityDeal    EntityTypeID = 2
	EntityContact EntityTypeID = 3
	EntityCompany EntityTypeID = 4
)

// Name returns the lower-case name timeline methods take as ENTITY_TYPE ("deal", "dynamic_128").
func (t EntityTypeID) Name() string {
	switch t {
	case EntityLead:
		return "lead"
	case EntityDeal:
		return "deal"
	case EntityContact:
		return "contact"
	case EntityCompany:
		return "company"
	}
	return fmt.Sprintf("dynamic_%d", int(t))
}

// Fields are an entity's fields for add and update, by their Bitrix names (TITLE, PHONE, UF_CRM_…).
type Fields map[string]any

// Multifield is one PHONE, EMAIL, IM or WEB value. On update, an entry with ID changes that
// value, one without ID is added.
type Multifield struct {
	ID        FlexInt `json:"ID,omitempty"`
	ValueType string  `json:"VALUE_TYPE,omitempty"` // WORK, MOBILE, HOME, OPENLINE…
	Value     string  `json:"VALUE"`
	TypeID    string  `json:"TYPE_ID,omitempty"` // PHONE, EMAIL, IM…
}

// Contact is a CRM contact as crm.contact.get/list return it (multifields only when selected).
type Contact struct {
	ID                FlexInt              `json:"ID"`
	Name              string               `json:"NAME"`
	LastName          string               `json:"LAST_NAME"`
	SecondName        string               `json:"SECOND_NAME"`
	Phone             FlexList[Multifield] `json:"PHONE"`
	Email             FlexList[Multifield] `json:"EMAIL"`
	IM                FlexList[Multifield] `json:"IM"`
	AssignedByID      FlexInt              `json:"ASSIGNED_BY_ID"`
	SourceID          FlexString           `json:"SOURCE_ID"`
	SourceDescription FlexString           `json:"SOURCE_DESCRIPTION"`
	Comments          FlexString           `json:"COMMENTS"`
	CompanyID         FlexInt              `json:"COMPANY_ID"`
	LeadID            FlexInt              `json:"LEAD_ID"`
	Opened            FlexBool             `json:"OPENED"`
	HasPhone          FlexBool             `json:"HAS_PHONE"`
	HasEmail          FlexBool             `json:"HAS_EMAIL"`
	HasIMOL           FlexBool             `json:"HAS_IMOL"`
	OriginatorID      FlexString           `json:"ORIGINATOR_ID"`
	OriginID          FlexString           `json:"ORIGIN_ID"`
	DateCreate        string               `json:"DATE_CREATE"`
	DateModify        string               `json:"DATE_MODIFY"`
}

// Lead is a CRM lead as crm.lead.get/list return it.
type Lead struct {
	ID                FlexInt              `json:"ID"`
	Title             string               `json:"TITLE"`
	Name              string               `json:"NAME"`
	LastName          string               `json:"LAST_NAME"`
	SecondName        string               `json:"SECOND_NAME"`
	StatusID          FlexString           `json:"STATUS_ID"`
	StatusSemanticID  FlexString           `json:"STATUS_SEMANTIC_ID"` // P in progress, S converted, F junk
	SourceID          FlexString           `json:"SOURCE_ID"`
	SourceDescription FlexString           `json:"SOURCE_DESCRIPTION"`
	Comments          FlexString           `json:"COMMENTS"`
	ContactID         FlexInt              `json:"CONTACT_ID"`
	CompanyID         FlexInt              `json:"COMPANY_ID"`
	AssignedByID      FlexInt              `json:"ASSIGNED_BY_ID"`
	Opportunity       FlexString           `json:"OPPORTUNITY"`
	CurrencyID        FlexString           `json:"CURRENCY_ID"`
	Phone             FlexList[Multifield] `json:"PHONE"`
	Email             FlexList[Multifield] `json:"EMAIL"`
	IM                FlexList[Multifield] `json:"IM"`
	Opened            FlexBool             `json:"OPENED"`
	OriginatorID      FlexString           `json:"ORIGINATOR_ID"`
	OriginID          FlexString           `json:"ORIGIN_ID"`
	DateCreate        string               `json:"DATE_CREATE"`
	DateModify        string               `json:"DATE_MODIFY"`
	DateClosed        FlexString           `json:"DATE_CLOSED"`
}

// IsClosed reports whether the lead is converted or junk (STATUS_SEMANTIC_ID S or F).
func (l Lead) IsClosed() bool { return l.StatusSemanticID == "S" || l.StatusSemanticID == "F" }

// Deal is a CRM deal as crm.deal.get/list return it.
type Deal struct {
	ID                FlexInt    `json:"ID"`
	Title             string     `json:"TITLE"`
	ContactID         FlexInt    `json:"CONTACT_ID"`
	CompanyID         FlexInt    `json:"COMPANY_ID"`
	LeadID            FlexInt    `json:"LEAD_ID"`
	CategoryID        FlexInt    `json:"CATEGORY_ID"`
	StageID           FlexString `json:"STAGE_ID"`
	StageSemanticID   FlexString `json:"STAGE_SEMANTIC_ID"`
	Closed            FlexBool   `json:"CLOSED"`
	AssignedByID      FlexInt    `json:"ASSIGNED_BY_ID"`
	SourceID          FlexString `json:"SOURCE_ID"`
	SourceDescription FlexString `json:"SOURCE_DESCRIPTION"`
	Opportunity       FlexString `json:"OPPORTUNITY"`
	CurrencyID        FlexString `json:"CURRENCY_ID"`
	Comments          FlexString `json:"COMMENTS"`
	OriginatorID      FlexString `json:"ORIGINATOR_ID"`
	OriginID          FlexString `json:"ORIGIN_ID"`
	DateCreate        string     `json:"DATE_CREATE"`
	DateModify        string     `json:"DATE_MODIFY"`
}

// IsClosed reports whether the deal is won or lost (CLOSED=Y; STAGE_SEMANTIC_ID S or F).
func (d Deal) IsClosed() bool {
	return bool(d.Closed) || d.StageSemanticID == "S" || d.StageSemanticID == "F"
}

// DealContact is one contact bound to a deal (crm.deal.contact.items.get).
type DealContact struct {
	ContactID FlexInt  `json:"CONTACT_ID"`
	Sort      FlexInt  `json:"SORT"`
	RoleID    FlexInt  `json:"ROLE_ID"`
	IsPrimary FlexBool `json:"IS_PRIMARY"`
}

// add calls a crm.*.add method and returns the new id.
func (p *PortalClient) add(ctx context.Context, method string, fields Fields) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, method, Params{"fields": fields}, &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// get calls a crm.*.get method.
func (p *PortalClient) get(ctx context.Context, method string, id int64, out any) error {
	return p.Call(ctx, method, Params{"id": id}, out)
}

// update calls a crm.*.update method.
func (p *PortalClient) update(ctx context.Context, method string, id int64, fields Fields) error {
	return p.Call(ctx, method, Params{"id": id, "fields": fields}, nil)
}

// AddContact creates a contact (crm.contact.add) and returns its id.
func (p *PortalClient) AddContact(ctx context.Context, fields Fields) (int64, error) {
	return p.add(ctx, "crm.contact.add", fields)
}

// Contact returns a contact (crm.contact.get); a missing one gives an error matching ErrNotFound.
func (p *PortalClient) Contact(ctx context.Context, id int64) (*Contact, error) {
	var c Contact
	if err := p.get(ctx, "crm.contact.get", id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateContact changes a contact's fields (crm.contact.update).
func (p *PortalClient) UpdateContact(ctx context.Context, id int64, fields Fields) error {
	return p.update(ctx, "crm.contact.update", id, fields)
}

// Contacts lists all contacts matching q (crm.contact.list; name PHONE/EMAIL/IM in Select to get them).
func (p *PortalClient) Contacts(ctx context.Context, q ListQuery) ([]Contact, error) {
	return All[Contact](ctx, p, "crm.contact.list", q)
}

// AddLead creates a lead (crm.lead.add) and returns its id.
func (p *PortalClient) AddLead(ctx context.Context, fields Fields) (int64, error) {
	return p.add(ctx, "crm.lead.add", fields)
}

// Lead returns a lead (crm.lead.get); a missing one gives an error matching ErrNotFound.
func (p *PortalClient) Lead(ctx context.Context, id int64) (*Lead, error) {
	var l Lead
	if err := p.get(ctx, "crm.lead.get", id, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// UpdateLead changes a lead's fields (crm.lead.update).
func (p *PortalClient) UpdateLead(ctx context.Context, id int64, fields Fields) error {
	return p.update(ctx, "crm.lead.update", id, fields)
}

// Leads lists all leads matching q (crm.lead.list).
func (p *PortalClient) Leads(ctx context.Context, q ListQuery) ([]Lead, error) {
	return All[Lead](ctx, p, "crm.lead.list", q)
}

// AddDeal creates a deal (crm.deal.add) and returns its id.
func (p *PortalClient) AddDeal(ctx context.Context, fields Fields) (int64, error) {
	return p.add(ctx, "crm.deal.add", fields)
}

// Deal returns a deal (crm.deal.get); a missing one gives an error matching ErrNotFound.
func (p *PortalClient) Deal(ctx context.Context, id int64) (*Deal, error) {
	var d Deal
	if err := p.get(ctx, "crm.deal.get", id, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// UpdateDeal changes a deal's fields (crm.deal.update). CATEGORY_ID cannot change here (the
// portal ignores it); STAGE_ID must be a stage of the deal's pipeline.
func (p *PortalClient) UpdateDeal(ctx context.Context, id int64, fields Fields) error {
	return p.update(ctx, "crm.deal.update", id, fields)
}

// Deals lists all deals matching q (crm.deal.list).
func (p *PortalClient) Deals(ctx context.Context, q ListQuery) ([]Deal, error) {
	return All[Deal](ctx, p, "crm.deal.list", q)
}

// DealContacts returns the contacts bound to a deal (crm.deal.contact.items.get).
func (p *PortalClient) DealContacts(ctx context.Context, dealID int64) ([]DealContact, error) {
	var out FlexList[DealContact]
	if err := p.get(ctx, "crm.deal.contact.items.get", dealID, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Communication types crm.duplicate.findbycomm searches by.
const (
	CommPhone = "PHONE"
	CommEmail = "EMAIL"
)

// Duplicates are the ids crm.duplicate.findbycomm found, per entity type.
type Duplicates struct {
	Leads     []int64
	Contacts  []int64
	Companies []int64
}

// UnmarshalJSON reads {"CONTACT":[1,"2"],"LEAD":[…]} or PHP's [] for no match.
func (d *Duplicates) UnmarshalJSON(b []byte) error {
	*d = Duplicates{}
	if isEmptyArray(b) || string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	var m map[string]FlexList[FlexInt]
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("bitrix: decode duplicates: %w", err)
	}
	ids := func(l FlexList[FlexInt]) []int64 {
		var out []int64
		for _, id := range l {
			out = append(out, int64(id))
		}
		return out
	}
	d.Leads, d.Contacts, d.Companies = ids(m["LEAD"]), ids(m["CONTACT"]), ids(m["COMPANY"])
	return nil
}

// Empty reports whether nothing was found.
func (d Duplicates) Empty() bool {
	return len(d.Leads) == 0 && len(d.Contacts) == 0 && len(d.Companies) == 0
}

// FindByComm finds leads, contacts and companies by phone or e-mail (crm.duplicate.findbycomm;
// the portal normalizes phones). entityType "" searches LEAD, CONTACT and COMPANY.
func (p *PortalClient) FindByComm(ctx context.Context, commType string, values []string, entityType string) (Duplicates, error) {
	params := Params{"type": commType, "values": values}
	if entityType != "" {
		params["entity_type"] = entityType
	}
	var d Duplicates
	err := p.Call(ctx, "crm.duplicate.findbycomm", params, &d)
	return d, err
}
