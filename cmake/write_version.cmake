# Writes the version header with the current git revision at build time (not only at configure
# time, so a result file names the commit that built the program). Rewrites only on change.
# Inputs: SRC (source dir), IN (template), OUT (header), PROJECT_VERSION, GIT_EXECUTABLE.
set(HPHTSIM_GIT_REVISION "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SRC}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
                  WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE rev OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc ERROR_QUIET)
  if(rc EQUAL 0 AND rev)
    execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
                    WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE dirty ERROR_QUIET)
    set(HPHTSIM_GIT_REVISION "${rev}")
    if(dirty)
      set(HPHTSIM_GIT_REVISION "${rev}-dirty")
    endif()
  endif()
endif()
configure_file("${IN}" "${OUT}.tmp" @ONLY)
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
