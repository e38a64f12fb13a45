;;; kaniko-lsp-jenkinsfile.el --- Jenkinsfiles open in a Groovy mode  -*- lexical-binding: t; -*-

;; Loaded by kaniko-lsp-eglot.el and kaniko-lsp-mode.el.  Jenkinsfile, Jenkinsfile.* and *.jenkinsfile
;; open in groovy-mode when it is installed (MELPA), else in a small mode of their own: JavaScript's
;; syntax is close enough to Groovy's for comments, strings and braces.

(unless (fboundp 'groovy-mode)
  (define-derived-mode kaniko-lsp-jenkinsfile-mode js-mode "Jenkinsfile"
    "Major mode for Jenkinsfiles when groovy-mode is not installed."))

(defconst kaniko-lsp-jenkinsfile-mode-for-files
  (if (fboundp 'groovy-mode) 'groovy-mode 'kaniko-lsp-jenkinsfile-mode)
  "The major mode Jenkinsfiles open in.")

(dolist (pattern '("/Jenkinsfile\\'" "/Jenkinsfile\\.[^/]*\\'" "\\.[Jj]enkinsfile\\'"))
  (add-to-list 'auto-mode-alist (cons pattern kaniko-lsp-jenkinsfile-mode-for-files)))

(provide 'kaniko-lsp-jenkinsfile)
;;; kaniko-lsp-jenkinsfile.el ends here
