// "Copy link": copies the article's address instead of following the link. Without
// this script (or without clipboard access) the link simply opens the address.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  navigator.clipboard.writeText(link.href).then(function () {
    link.textContent = "Link copied";
  }, function () {
    window.location.href = link.href;
  });
});
