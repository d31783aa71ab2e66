package bitrix

import (
	"context"
	"encoding/base64"
	"encoding/json"
)

// File is an attachment sent inline, as timeline comments take them: ["name", "<base64>"].
type File struct {
	Name    string
	Content []byte
}

// MarshalJSON writes the [name, base64] pair.
func (f File) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{f.Name, base64.StdEncoding.EncodeToString(f.Content)})
}

// Owner is the CRM item a timeline entry belongs to.
type Owner struct {
	TypeID EntityTypeID
	ID     int64
}

// params adds ownerTypeId/ownerId to p when the owner is set.
func (o Owner) params(p Params) Params {
	if o.TypeID != 0 && o.ID != 0 {
		p["ownerTypeId"] = int(o.TypeID)
		p["ownerId"] = o.ID
	}
	return p
}

// TimelineComment is a comment as crm.timeline.comment.get/list return it.
type TimelineComment struct {
	ID         FlexInt               `json:"ID"`
	EntityID   FlexInt               `json:"ENTITY_ID"`
	EntityType string                `json:"ENTITY_TYPE"`
	Created    string                `json:"CREATED"`
	Comment    string                `json:"COMMENT"`
	AuthorID   FlexInt               `json:"AUTHOR_ID"`
	Files      FlexMap[TimelineFile] `json:"FILES"`
}

// TimelineFile is an attachment of a timeline comment.
type TimelineFile struct {
	ID          FlexInt `json:"id"`
	Name        string  `json:"name"`
	Type        string  `json:"type"` // "image" or "file"
	Size        FlexInt `json:"size"`
	Date        string  `json:"date"`
	AuthorID    FlexInt `json:"authorId"`
	AuthorName  string  `json:"authorName"`
	URLShow     string  `json:"urlShow"`
	URLDownload string  `json:"urlDownload"`
	URLPreview  string  `json:"urlPreview"`
}

// NewTimelineComment is a comment to add to an item's timeline.
type NewTimelineComment struct {
	Owner    Owner
	Comment  string // BB-codes allowed; must not be empty
	AuthorID int64  // 0: the calling user
	Files    []File // stored on the author's Disk
}

// AddTimelineComment adds a comment (crm.timeline.comment.add) and returns its id.
func (p *PortalClient) AddTimelineComment(ctx context.Context, c NewTimelineComment) (int64, error) {
	var id FlexInt
	if err := p.Call(ctx, "crm.timeline.comment.add", c.params(), &id); err != nil {
		return 0, err
	}
	return int64(id), nil
}

// TimelineCommentCommand is crm.timeline.comment.add as a batch command: hand up to MaxBatch
// of them to Batch (halt false) and read each result's id with Decode, or its error:
//
//	cmds := make([]bitrix.BatchCommand, len(comments))
//	for i, c := range comments {
//		cmds[i] = bitrix.TimelineCommentCommand("m"+strconv.Itoa(i), c)
//	}
//	results, err := p.Batch(ctx, false, cmds...) // err: the request failed (auth, 503, transport)
//	for _, r := range results {
//		var id bitrix.FlexInt
//		if err := r.Decode(&id); err != nil { … } // this comment's own error, e.g. OWNER_NOT_FOUND
//	}
//
// A batch is one request for the portal's bucket; each command still counts against
// crm.timeline.comment.add's operating time. Keep a batch's files small: the request
// carries them base64-encoded.
func TimelineCommentCommand(key string, c NewTimelineComment) BatchCommand {
	return BatchCommand{Key: key, Method: "crm.timeline.comment.add", Params: c.params()}
}

// params are the comment's crm.timeline.comment.add parameters (lowercase "fields").
func (c NewTimelineComment) params() Params {
	fields := Params{
		"ENTITY_ID":   c.Owner.ID,
		"ENTITY_TYPE": c.Owner.TypeID.Name(),
		"COMMENT":     c.Comment,
	}
	if c.AuthorID != 0 {
		fields["AUTHOR_ID"] = c.AuthorID
	}
	if len(c.Files) > 0 {
		fields["FILES"] = c.Files
	}
	return Params{"fields": fields}
}

// UpdateTimelineComment changes a comment's text (and files, when given) as seen from owner
// (crm.timeline.comment.update). It returns the comment's id, which is NEW when the comment
// was bound to several items: store it.
func (p *PortalClient) UpdateTimelineComment(ctx context.Context, id int64, owner Owner, comment string, files []File) (int64, error) {
	fields := Params{"COMMENT": comment}
	if files != nil {
		fields["FILES"] = files
	}
	var newID FlexInt
	if err := p.Call(ctx, "crm.timeline.comment.update", owner.params(Params{"id": id, "fields": fields}), &newID); err != nil {
		return 0, err
	}
	if newID == 0 {
		return id, nil
	}
	return int64(newID), nil
}

// DeleteTimelineComment deletes a comment (crm.timeline.comment.delete); give the owner when
// the comment is bound to several items.
func (p *PortalClient) DeleteTimelineComment(ctx context.Context, id int64, owner Owner) error {
	return p.Call(ctx, "crm.timeline.comment.delete", owner.params(Params{"id": id}), nil)
}

// TimelineComment returns one comment (crm.timeline.comment.get); a missing one gives an
// error matching ErrNotFound.
func (p *PortalClient) TimelineComment(ctx context.Context, id int64) (*TimelineComment, error) {
	var c TimelineComment
	if err := p.Call(ctx, "crm.timeline.comment.get", Params{"id": id}, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// TimelineComments lists all comments of an item, oldest first, page by page
// (crm.timeline.comment.list; each with COMMENT, AUTHOR_ID, CREATED and FILES).
func (p *PortalClient) TimelineComments(ctx context.Context, owner Owner) ([]TimelineComment, error) {
	return All[TimelineComment](ctx, p, "crm.timeline.comment.list", Params{
		"filter": Params{"ENTITY_ID": owner.ID, "ENTITY_TYPE": owner.TypeID.Name()},
		"order":  Params{"ID": "ASC"},
	})
}

// PinTimelineItem pins a timeline entry on its owner (crm.timeline.item.pin); the portal
// refuses past its pin limit (3 or 7): errors.Is(err, ErrPinLimit).
func (p *PortalClient) PinTimelineItem(ctx context.Context, id int64, owner Owner) error {
	return p.Call(ctx, "crm.timeline.item.pin", Params{"id": id, "ownerTypeId": int(owner.TypeID), "ownerId": owner.ID}, nil)
}

// UnpinTimelineItem unpins a timeline entry (crm.timeline.item.unpin).
func (p *PortalClient) UnpinTimelineItem(ctx context.Context, id int64, owner Owner) error {
	return p.Call(ctx, "crm.timeline.item.unpin", Params{"id": id, "ownerTypeId": int(owner.TypeID), "ownerId": owner.ID}, nil)
}
