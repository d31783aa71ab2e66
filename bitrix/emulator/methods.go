package emulator

// methodTable lists every REST method the portal answers, with its scope.
func (p *Portal) methodTable() map[string]method {
	m := map[string]method{
		"batch": {fn: p.batch},

		"app.info":     {fn: p.appInfo},
		"profile":      {fn: p.profile},
		"user.admin":   {fn: p.userAdmin},
		"user.current": {scope: "user", fn: p.userCurrent},
		"user.get":     {scope: "user", fn: p.userGet},

		"placement.bind":   {scope: "placement", appOnly: true, fn: p.placementBind},
		"placement.unbind": {scope: "placement", appOnly: true, fn: p.placementUnbind},
		"placement.get":    {scope: "placement", appOnly: true, fn: p.placementGet},
		"placement.list":   {scope: "placement", appOnly: true, fn: p.placementList},

		"event.bind":   {appOnly: true, fn: p.eventBind},
		"event.get":    {appOnly: true, fn: p.eventGet},
		"event.unbind": {appOnly: true, fn: p.eventUnbind},
		"events":       {appOnly: true, fn: p.eventList},

		"crm.deal.contact.items.get": {scope: "crm", fn: p.dealContactItems},
		"crm.settings.mode.get":      {scope: "crm", fn: p.crmSettingsMode},
		"department.get":             {scope: "department", fn: p.departmentGet},
		"im.notify.system.add":       {scope: "im", fn: p.imNotify("system")},
		"im.notify.personal.add":     {scope: "im", fn: p.imNotify("personal")},
		"im.notify.delete":           {scope: "im", fn: p.imNotifyDelete},
		"crm.duplicate.findbycomm":   {scope: "crm", fn: p.findByComm},
		"crm.status.list":            {scope: "crm", fn: p.crmStatusList},
		"crm.status.add":             {scope: "crm", fn: p.crmStatusAdd},
		"crm.category.list":          {scope: "crm", fn: p.crmCategoryList},
	}
	for _, s := range []*entityStore{p.contacts, p.leads, p.deals} {
		prefix := "crm." + map[string]string{"CONTACT": "contact", "LEAD": "lead", "DEAL": "deal"}[s.kind] + "."
		m[prefix+"add"] = method{scope: "crm", fn: p.crmAdd(s)}
		m[prefix+"get"] = method{scope: "crm", fn: p.crmGet(s)}
		m[prefix+"list"] = method{scope: "crm", fn: p.crmList(s)}
		m[prefix+"update"] = method{scope: "crm", fn: p.crmUpdate(s)}
		m[prefix+"delete"] = method{scope: "crm", fn: p.crmDelete(s)}
	}
	for name, fn := range p.moreMethods() {
		m[name] = fn
	}
	return m
}

// moreMethods are the timeline and messenger methods.
func (p *Portal) moreMethods() map[string]method {
	return map[string]method{
		"crm.timeline.comment.add":    {scope: "crm", fn: p.timelineCommentAdd},
		"crm.timeline.comment.update": {scope: "crm", fn: p.timelineCommentUpdate},
		"crm.timeline.comment.delete": {scope: "crm", fn: p.timelineCommentDelete},
		"crm.timeline.comment.get":    {scope: "crm", fn: p.timelineCommentGet},
		"crm.timeline.comment.list":   {scope: "crm", fn: p.timelineCommentList},
		"crm.timeline.item.pin":       {scope: "crm", fn: p.timelinePin},
		"crm.timeline.item.unpin":     {scope: "crm", fn: p.timelineUnpin},

		"im.chat.add":            {scope: "im", fn: p.imChatAdd},
		"im.chat.get":            {scope: "im", fn: p.imChatGet},
		"im.chat.user.add":       {scope: "im", fn: p.imChatUserAdd},
		"im.chat.user.list":      {scope: "im", fn: p.imChatUserList},
		"im.chat.user.delete":    {scope: "im", fn: p.imChatUserDelete},
		"im.message.add":         {scope: "im", fn: p.imMessageAdd},
		"im.dialog.messages.get": {scope: "im", fn: p.imDialogMessagesGet},
		"im.message.update":      {scope: "im", fn: p.imMessageUpdate},
		"im.message.delete":      {scope: "im", fn: p.imMessageDelete},

		"imbot.register":           {scope: "imbot", fn: p.imbotRegister},
		"imbot.unregister":         {scope: "imbot", fn: p.imbotUnregister},
		"imbot.bot.list":           {scope: "imbot", fn: p.imbotBotList},
		"imbot.command.register":   {scope: "imbot", fn: p.imbotCommandRegister},
		"imbot.command.unregister": {scope: "imbot", fn: p.imbotCommandUnregister},
		"imbot.command.answer":     {scope: "imbot", fn: p.imbotCommandAnswer},
		"imbot.message.add":        {scope: "imbot", fn: p.imbotMessageAdd},
		"imbot.message.update":     {scope: "imbot", fn: p.imbotMessageUpdate},
		"imbot.message.delete":     {scope: "imbot", fn: p.imbotMessageDelete},
		"imbot.chat.add":           {scope: "imbot", fn: p.imbotChatAdd},
		"imbot.chat.get":           {scope: "imbot", fn: p.imbotChatGet},
		"imbot.chat.user.add":      {scope: "imbot", fn: p.imbotChatUserAdd},
		"imbot.chat.user.list":     {scope: "imbot", fn: p.imbotChatUserList},
		"imbot.chat.user.delete":   {scope: "imbot", fn: p.imbotChatUserDelete},

		"imconnector.register":             {scope: "imconnector", appOnly: true, fn: p.imconnectorRegister},
		"imconnector.unregister":           {scope: "imconnector", appOnly: true, fn: p.imconnectorUnregister},
		"imconnector.list":                 {scope: "imconnector", appOnly: true, fn: p.imconnectorList},
		"imconnector.activate":             {scope: "imconnector", appOnly: true, fn: p.imconnectorActivate},
		"imconnector.status":               {scope: "imconnector", appOnly: true, fn: p.imconnectorStatus},
		"imconnector.connector.data.set":   {scope: "imconnector", appOnly: true, fn: p.imconnectorDataSet},
		"imconnector.send.messages":        {scope: "imconnector", appOnly: true, fn: p.imconnectorSendMessages},
		"imconnector.update.messages":      {scope: "imconnector", appOnly: true, fn: p.imconnectorUpdateMessages},
		"imconnector.delete.messages":      {scope: "imconnector", appOnly: true, fn: p.imconnectorDeleteMessages},
		"imconnector.send.status.delivery": {scope: "imconnector", appOnly: true, fn: p.imconnectorDelivery},
		"imconnector.send.status.reading":  {scope: "imconnector", appOnly: true, fn: p.imconnectorDelivery},
		"imopenlines.config.list.get":      {scope: "imopenlines", fn: p.imopenlinesConfigList},
		"imopenlines.config.get":           {scope: "imopenlines", fn: p.imopenlinesConfigGet},
	}
}
