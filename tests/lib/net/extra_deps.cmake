target_link_libraries(hc_test_net PRIVATE hc::keys)
