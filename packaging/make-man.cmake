# Writes the gandl(1) man page from the program's own help, so the page cannot drift from the
# command line: cmake -DGANDL=<gandl> -DOUT=<gandl.1> -DVERSION=<x.y.z> -P make-man.cmake
if(NOT GANDL OR NOT OUT)
  message(FATAL_ERROR "make-man.cmake: GANDL and OUT are required")
endif()

# roff: backslashes doubled, a leading dot or quote escaped.
function(roff_escape text out)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(help_of out)
  execute_process(COMMAND "${GANDL}" ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE status
                  ERROR_QUIET)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "make-man.cmake: '${GANDL} ${ARGN} --help' failed (${status})")
  endif()
  # The usage line names the binary by its build path; the page names it gandl.
  string(REGEX REPLACE "Usage: [^ ]*gandl" "Usage: gandl" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

help_of(top)
string(REGEX MATCH "Subcommands:\n(.*)" section "${top}")
set(section "${CMAKE_MATCH_1}")
string(REGEX MATCHALL "\n?  [a-z][a-z0-9-]*  " names "\n${section}")
set(commands "")
foreach(name ${names})
  string(STRIP "${name}" name)
  list(APPEND commands "${name}")
endforeach()

string(TIMESTAMP today "%Y-%m-%d" UTC)
set(page ".TH GANDL 1 \"${today}\" \"gandl ${VERSION}\" \"GAN-DL Workbench\"\n")
string(APPEND page ".SH NAME\ngandl \\- GAN-DL Workbench command line: synthetic screens, GAN training, embeddings, analyses\n")
string(APPEND page ".SH SYNOPSIS\n.B gandl\n.I COMMAND\n[\\fIOPTIONS\\fR]\n.br\n.B gandl\n\\-\\-version | \\-\\-help\n")
string(APPEND page ".SH DESCRIPTION\nTrains a scaled-down StyleGAN2 on a screen's unlabelled five-channel images, embeds every site with its discriminator's 512-d feature into an AnnData (HDF5) store, and derives control-based projections, hit calls and per-compound dose-response curves (after Mascolini et al., BMC Bioinformatics 23:295, 2022). Exit status 0 on success; otherwise one line on standard error saying why (130 when cancelled with Ctrl-C: what was written so far is valid and resumable).\n")
string(APPEND page ".SH COMMANDS\n")
foreach(command ${commands})
  help_of(text ${command})
  roff_escape("${text}" text)
  string(APPEND page ".SS ${command}\n.nf\n${text}.fi\n")
endforeach()
string(APPEND page ".SH ENVIRONMENT\n.TP\n.B GANDL_PLUGIN_PATH\nColon-separated folders searched for embedder plugins before the installed ones.\n.TP\n.B GANDL_RESOURCES_DIR\nWhere the shipped model is looked for (models/demo) instead of the installed share/gandl.\n")
string(APPEND page ".SH SEE ALSO\n.BR gandl-workbench (1)\n")
file(WRITE "${OUT}.tmp" "${page}")
file(RENAME "${OUT}.tmp" "${OUT}")
