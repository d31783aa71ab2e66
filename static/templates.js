// Message templates: the edit page's file list (drag with SortableJS, or
// move with the keyboard's buttons) and the composer's template picker; the
// upload progress is composer.js's.
(function () {
  "use strict";

  // The order of the files is the order of their hidden "order" inputs in
  // the list, which the form sends as they stand.
  function sortable(list) {
    if (!window.Sortable || list.dataset.sortableOn) return;
    list.dataset.sortableOn = "1";
    // forceFallback: the same mouse-driven drag in every browser (native
    // drag and drop differs, and cannot be driven by a test).
    Sortable.create(list, {handle: ".drag", animation: 0, forceFallback: true});
  }
  function init() { document.querySelectorAll("[data-sortable]").forEach(sortable); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);

  document.addEventListener("click", function (e) {
    var move = e.target.closest(".template-file [data-move]");
    if (move) {
      var item = move.closest("li");
      var other = move.dataset.move === "-1" ? item.previousElementSibling : item.nextElementSibling;
      if (!other) return;
      if (move.dataset.move === "-1") item.parentNode.insertBefore(item, other);
      else item.parentNode.insertBefore(other, item);
      move.focus();
      return;
    }
    var remove = e.target.closest(".template-file [data-remove]");
    if (remove) remove.closest("li").remove(); // a new file left out of the order is not kept
  });

  // Chosen files: each choice keeps its own input (a file input's list
  // cannot grow), and each file gets an item "n<i>", i counting every new
  // file in the order the inputs are sent.
  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches("[data-template-add]")) return;
    var form = input.form;
    var error = form.querySelector("#template-error");
    var list = form.querySelector(".template-files");
    var uploads = form.querySelector(".template-uploads");
    var max = parseInt(input.dataset.maxSize, 10);
    var maxFiles = parseInt(input.dataset.maxFiles, 10);
    var files = Array.prototype.slice.call(input.files);
    input.value = "";
    error.textContent = "";
    var big = files.filter(function (f) { return f.size > max; });
    if (big.length > 0) {
      flash(error, input.dataset.tooLarge.replace("%s", big[0].name));
      return;
    }
    if (list.children.length + files.length > maxFiles) files = files.slice(0, Math.max(0, maxFiles - list.children.length));
    if (files.length === 0) return;
    var sent = 0;
    uploads.querySelectorAll("input").forEach(function (i) { sent += i.files.length; });
    var dt = new DataTransfer();
    files.forEach(function (f, k) {
      dt.items.add(f);
      var row = form.querySelector("template.template-file-new").content.firstElementChild.cloneNode(true);
      row.querySelector("input[name=order]").value = "n" + (sent + k);
      row.querySelector(".file-name").textContent = f.name;
      row.dataset.name = f.name;
      list.appendChild(row);
    });
    var keep = document.createElement("input");
    keep.type = "file";
    keep.name = "files";
    keep.multiple = true;
    keep.files = dt.files;
    uploads.appendChild(keep);
  });

  function flash(where, text) {
    var f = document.createElement("div");
    f.className = "flash error";
    f.setAttribute("role", "alert");
    f.setAttribute("data-testid", "flash-error");
    f.textContent = text;
    where.appendChild(f);
  }

  // The composer's picker: a choice puts the template's text into the
  // composer (editable) and names the template in the form; its files go
  // with it when sent.
  function drop(form) {
    var box = form.querySelector(".composer-template");
    if (!box) return;
    box.hidden = true;
    var input = box.querySelector("input[name=template]");
    input.value = "";
    input.disabled = true;
  }
  document.addEventListener("click", function (e) {
    var choice = e.target.closest(".template-choice");
    if (choice && !choice.disabled) {
      var form = choice.closest("form");
      var box = form.querySelector(".composer-template");
      var input = box.querySelector("input[name=template]");
      input.disabled = false;
      input.value = choice.dataset.template;
      var label = box.querySelector(".template-in-use");
      label.textContent = label.dataset.inUse.replace("%s", choice.dataset.name);
      box.hidden = false;
      var text = form.querySelector("textarea[name=text]");
      text.value = choice.dataset.text;
      choice.closest(".template-picker").textContent = "";
      text.focus();
      return;
    }
    var dropper = e.target.closest("[data-template-drop]");
    if (dropper) drop(dropper.closest("form"));
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target;
    if (e.detail.successful && form.matches && form.matches("form.composer")) drop(form);
  });
  // Enter in the picker's search box searches; it does not send the message.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches(".template-picker input")) e.preventDefault();
  });
})();
