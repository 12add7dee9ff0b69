# Installation extras and the Debian package (cpack -G DEB, run by scripts/package).
#
# Man pages are installed gzipped (gzip -9n: no name, no time stamp, so the package is
# reproducible), the bash completion once per tool name, and the copyright file and Debian
# changelog under share/doc/bcpkit.

find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(_man_gz_dir "${PROJECT_BINARY_DIR}/man-gz")
set(_man_gz_all "")
foreach(section 1 5 7)
  file(GLOB _pages CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/man/*.${section}")
  set(_gz_pages "")
  foreach(page ${_pages})
    get_filename_component(name ${page} NAME)
    set(gz "${_man_gz_dir}/${name}.gz")
    add_custom_command(OUTPUT "${gz}"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${_man_gz_dir}"
      COMMAND ${GZIP_EXECUTABLE} -9n -c "${page}" > "${gz}"
      DEPENDS "${page}" VERBATIM)
    list(APPEND _gz_pages "${gz}")
  endforeach()
  install(FILES ${_gz_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND _man_gz_all ${_gz_pages})
endforeach()
set(_changelog_gz "${PROJECT_BINARY_DIR}/changelog.gz")
add_custom_command(OUTPUT "${_changelog_gz}"
  COMMAND ${GZIP_EXECUTABLE} -9n -c "${PROJECT_SOURCE_DIR}/packaging/changelog" > "${_changelog_gz}"
  DEPENDS "${PROJECT_SOURCE_DIR}/packaging/changelog" VERBATIM)
add_custom_target(bcp_install_files ALL DEPENDS ${_man_gz_all} "${_changelog_gz}")

install(FILES "${PROJECT_SOURCE_DIR}/packaging/copyright" "${_changelog_gz}"
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
foreach(tool bcp-id bcp-mention bcp-notice bcp-replay)
  install(FILES "${PROJECT_SOURCE_DIR}/completions/bcpkit.bash"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${tool})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bcpkit)
set(CPACK_PACKAGE_VENDOR "bcpkit developers")
set(CPACK_PACKAGE_CONTACT "bcpkit developers <maintainers@bcpkit.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "tools for customs declarants when a customs IT system is down")
set(CPACK_PACKAGE_DESCRIPTION "When a customs IT system (AES, NCTS, ICS2, DMS, CDS, ...) is down,
authorities announce outages and emergency procedures. bcpkit reads those
notices into structured events (bcp-notice), checks and generates references
such as MRN and BCP-ID (bcp-id), lists the mentions and codes a procedure
requires (bcp-mention) and replays buffered declarations afterwards with a
strict rate cap and never-twice delivery (bcp-replay).")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://bcpkit.org/")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The private libraries are found by dpkg-shlibdeps in the package itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${PROJECT_BINARY_DIR}/lib")
# date's time-zone database is the system's (/usr/share/zoneinfo).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
include(CPack)
