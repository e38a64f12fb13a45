;;; eglot_session.el --- a user's eglot session on a Jenkinsfile, for tests/test_emacs.py  -*- lexical-binding: t; -*-
;; Environment: KANIKO_CONFIG (the shipped setup), KANIKO_FILE (the Jenkinsfile), KANIKO_RESULT (output).

(package-initialize)
(load (getenv "KANIKO_CONFIG") nil t)
(find-file (getenv "KANIKO_FILE"))

(defun kaniko-test-write (lines)
  (with-temp-file (getenv "KANIKO_RESULT") (insert (mapconcat #'identity lines "\n") "\n")))

(defun kaniko-test-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (funcall predicate)))

(let ((lines (list (format "mode %s" major-mode))))
  (call-interactively #'eglot)
  (kaniko-test-wait (lambda () (flymake-diagnostics)) 30)
  (dolist (diagnostic (sort (flymake-diagnostics)
                            (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))
    (push (format "diagnostic %d %s" (line-number-at-pos (flymake-diagnostic-beg diagnostic))
                  (flymake-diagnostic-text diagnostic))
          lines))
  (kaniko-test-write (nreverse lines)))
(kill-emacs 0)
