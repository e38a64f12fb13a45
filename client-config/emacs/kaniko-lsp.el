;;; kaniko-lsp.el --- kaniko-lsp with eglot  -*- lexical-binding: t; -*-
;; Load from init.el: (load "/path/to/kaniko-lsp.el"), then M-x eglot in a Jenkinsfile or Dockerfile.
(require 'eglot)
(add-to-list 'auto-mode-alist '("Jenkinsfile\\'" . groovy-mode))
(add-to-list 'auto-mode-alist '("\\.jenkinsfile\\'" . groovy-mode))
(add-to-list 'eglot-server-programs
             '((groovy-mode dockerfile-mode dockerfile-ts-mode yaml-mode yaml-ts-mode)
               . ("kaniko-lsp" "serve"
                  :initializationOptions (:kanikoLsp (:fixOnSave :json-false)))))
(provide 'kaniko-lsp)
;;; kaniko-lsp.el ends here
