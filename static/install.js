// The install page: tell the portal the installation is finished, once
// Bitrix24's SDK (loaded just before this file) is ready.
BX24.init(function () { BX24.installFinish(); });
