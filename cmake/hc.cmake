# Helpers shared by lib/, tools/, tests/ and bench/.

# hc_add_area(NAME SOURCES... DEPS ...): one library area, linked as hc::NAME.
function(hc_add_area name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(hc_${name} STATIC ${A_SOURCES})
  add_library(hc::${name} ALIAS hc_${name})
  target_include_directories(hc_${name} PUBLIC ${CMAKE_BINARY_DIR}/include)
  target_link_libraries(hc_${name} PUBLIC ${A_DEPS})
endfunction()

# hc_add_tool(NAME SOURCES... DEPS ...): one installed binary.
function(hc_add_tool name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE hc::tool_common ${A_DEPS} ${HC_ALLOCATOR})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  set_property(GLOBAL APPEND PROPERTY HC_TOOLS ${name})
endfunction()
