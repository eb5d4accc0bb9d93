/* Shrinking a photo in the browser before it is sent (the citizen's form, the crew's job page):
   a 12 MP phone photo becomes the stored size, so it goes over 3G in seconds, not minutes. */
(function () {
  "use strict";
  var QUALITY = 0.85;

  // The file to send: shrunk to maxSize on its long side, turned as the camera stored it; the
  // original when it is small enough already, cannot be decoded or would not get smaller.
  function shrink(file, maxSize) {
    if (!window.createImageBitmap || !maxSize) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = maxSize / Math.max(bitmap.width, bitmap.height);
      if (scale >= 1) { bitmap.close(); return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  window.shrinkPhoto = shrink;
})();
